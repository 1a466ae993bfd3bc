// Where the local stack keeps its state and which ports it listens on.
// This is development and test infrastructure only; nothing here is deployed.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const stateDir = path.join(projectRoot, ".tenantry");

/** A TCP port from the environment, or the default; anything else is an error naming the variable. */
export function portFrom(variable: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new Error(`${variable}="${raw}" is not a TCP port (1-65535)`);
  return port;
}

export const local = {
  pgMajor: 15,
  /** The local cluster's port; fixed when the cluster is created (see checkClusterPort). */
  dbPort: portFrom("TENANTRY_DB_PORT", 54322),
  /** Where `npm start` serves the gateway. */
  gatewayPort: portFrom("TENANTRY_GATEWAY_PORT", 54321),
  host: "127.0.0.1",
  // The same password `supabase start` uses, so URLs look alike.
  password: "postgres",
  dataDir: path.join(stateDir, "pgdata"),
  runDir: path.join(stateDir, "run"),
  keysFile: path.join(stateDir, "keys.json"),
};

export function localDbUrl(user = "postgres", database = "postgres"): string {
  // The local cluster has no TLS; saying so keeps clients from trying (and warning).
  return `postgresql://${user}:${local.password}@${local.host}:${local.dbPort}/${database}?sslmode=disable`;
}

/** The database every command targets: an explicit URL, else the project-local cluster. */
export function externalDbUrl(): string | undefined {
  const url = process.env.SUPABASE_DB_URL || process.env.DATABASE_URL;
  return url && url.trim() !== "" ? url.trim() : undefined;
}

export function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  return u.toString();
}
