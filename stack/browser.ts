// Debian's Chromium for the browser suite (tests/e2e): installed with apt when missing,
// as stack/cluster.ts installs PostgreSQL (playwright's own browser download cannot run here).
import { existsSync } from "node:fs";
import { hasCommand, isRoot, run } from "./shell.ts";

export const chromiumPath = process.env.TENANTRY_CHROMIUM ?? "/usr/bin/chromium";

/** The launch flags the machine needs: no GPU, no sandbox as root, and no background connections to the outside. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function ensureChromium(): Promise<string> {
  if (existsSync(chromiumPath)) return chromiumPath;
  const isDebian = existsSync("/etc/debian_version") && hasCommand("apt-get");
  if (!isDebian || !isRoot) {
    throw new Error(`no Chromium at ${chromiumPath}: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set TENANTRY_CHROMIUM`);
  }
  console.log("installing chromium with apt-get (the browser suite) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env });
  if (!existsSync(chromiumPath)) throw new Error(`apt-get finished but ${chromiumPath} is still missing`);
  return chromiumPath;
}
