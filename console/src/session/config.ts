// The console's two runtime values: the project URL and the publishable key.
// Read from config.json next to index.html (the local gateway answers it with the
// stack's own values; a static host deploys one), else from the build-time variables
// TENANTRY_CONSOLE_URL and TENANTRY_CONSOLE_PUBLISHABLE_KEY.
export interface ConsoleConfig {
  /** The project URL, e.g. http://127.0.0.1:54321 or https://<ref>.supabase.co. */
  url: string;
  publishableKey: string;
  /** Only on the local stack: the gateway mints a token for an email (the path of `npm run token`). */
  devSignIn: boolean;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const env = import.meta.env as Record<string, string | undefined>;
  let fromFile: Partial<ConsoleConfig> = {};
  try {
    const res = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
    if (res.ok) fromFile = (await res.json()) as Partial<ConsoleConfig>;
  } catch {
    // no config.json: the build-time values below
  }
  const url = fromFile.url ?? env.TENANTRY_CONSOLE_URL ?? window.location.origin;
  const publishableKey = fromFile.publishableKey ?? env.TENANTRY_CONSOLE_PUBLISHABLE_KEY ?? "";
  return { url: url.replace(/\/+$/, ""), publishableKey, devSignIn: fromFile.devSignIn === true };
}
