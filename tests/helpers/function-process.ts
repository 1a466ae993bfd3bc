// One edge function in its own Deno process with extra environment variables (the
// operational toggles), beside the shared stack: how a redeployed function with changed
// secrets behaves. Called on its own port, as the gateway would.
import { afterAll } from "vitest";
import { functionEnv, startFunction, stopFunction } from "../../stack/functions.ts";
import { loadProjectConfig } from "../../stack/project-config.ts";
import { stack } from "./stack.ts";

/** The function as a fetch of paths as it sees them: `/admin/users` for /functions/v1/admin/users. */
export async function functionWith(name: string, env: Record<string, string>): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const config = loadProjectConfig().functions.find((fn) => fn.name === name);
  if (!config) throw new Error(`no function ${name} in supabase/config.toml`);
  const running = await startFunction(config, { ...(await functionEnv({ supabaseUrl: stack.url, dbUrl: stack.dbUrl })), ...env }, () => {});
  afterAll(() => stopFunction(running));
  return (path, init) => fetch(`http://127.0.0.1:${running.port}${path}`, init);
}
