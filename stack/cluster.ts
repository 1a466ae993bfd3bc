// The project-local PostgreSQL cluster: installed on demand (Debian, as root),
// created on first use under .tenantry/pgdata, listening on its own port.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { local, localDbUrl, projectRoot } from "./settings.ts";
import { hasCommand, isRoot, run } from "./shell.ts";

const binDir = `/usr/lib/postgresql/${local.pgMajor}/bin`;
/** psql of the cluster's PostgreSQL, else whichever is on PATH (a machine with only SUPABASE_DB_URL). */
export const psqlPath = (): string => (existsSync(`${binDir}/psql`) ? `${binDir}/psql` : "psql");
const extensionDir = `/usr/share/postgresql/${local.pgMajor}/extension`;

/** What the stack needs from the OS, with the Debian package that provides each. */
const requirements = [
  { what: "PostgreSQL server", present: () => existsSync(`${binDir}/initdb`), pkg: `postgresql-${local.pgMajor}` },
  { what: "pgTAP", present: () => existsSync(`${extensionDir}/pgtap.control`), pkg: `postgresql-${local.pgMajor}-pgtap` },
  {
    what: "plpgsql_check",
    present: () => existsSync(`${extensionDir}/plpgsql_check.control`),
    pkg: `postgresql-${local.pgMajor}-plpgsql-check`,
  },
];

/** Installs missing PostgreSQL pieces with apt (Debian, root) or says exactly what to install. */
export async function ensureInstalled(): Promise<void> {
  const missing = requirements.filter((r) => !r.present());
  if (missing.length === 0) return;
  const pkgs = missing.map((r) => r.pkg);
  const isDebian = existsSync("/etc/debian_version") && hasCommand("apt-get");
  if (!isDebian || !isRoot) {
    throw new Error(
      `missing: ${missing.map((r) => r.what).join(", ")}.\n` +
        `Install them (Debian/Ubuntu: sudo apt-get install -y ${pkgs.join(" ")}), ` +
        `or set SUPABASE_DB_URL to a Supabase database and skip the local cluster.`,
    );
  }
  console.log(`installing ${pkgs.join(" ")} with apt-get ...`);
  // The Debian package would otherwise create and start a "main" cluster on 5432 we never use.
  mkdirSync("/etc/postgresql-common", { recursive: true });
  const createclusterConf = "/etc/postgresql-common/createcluster.conf";
  if (!existsSync(createclusterConf)) writeFileSync(createclusterConf, "create_main_cluster = false\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  // Keep our createcluster.conf when postgresql-common arrives with its own.
  const keepConf = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"];
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...keepConf, ...pkgs], { env });
  const still = requirements.filter((r) => !r.present());
  if (still.length) throw new Error(`apt-get finished but still missing: ${still.map((r) => r.what).join(", ")}`);
}

let dirs: { dataDir: string; runDir: string } | undefined;

/**
 * Where the cluster lives: .tenantry/ inside the project, unless the postgres OS user
 * cannot reach the checkout (a clone under /root, say); then a per-project folder in
 * postgres's home. Decided once PostgreSQL (and so the postgres user) is installed.
 */
function clusterDirs(): { dataDir: string; runDir: string } {
  if (dirs) return dirs;
  const reachable = !isRoot || spawnSync("runuser", ["-u", "postgres", "--", "test", "-x", projectRoot]).status === 0;
  if (reachable) {
    dirs = { dataDir: local.dataDir, runDir: local.runDir };
  } else {
    const base = `/var/lib/postgresql/tenantry-${createHash("sha256").update(projectRoot).digest("hex").slice(0, 12)}`;
    dirs = { dataDir: path.join(base, "pgdata"), runDir: path.join(base, "run") };
  }
  return dirs;
}

/** The cluster's own record of how it was created (next to its data directory). */
const stateFile = () => path.join(path.dirname(clusterDirs().dataDir), "cluster.json");

interface ClusterState {
  port: number;
  pgMajor: number;
  dataDir: string;
  createdAt: string;
}

/** The port the existing cluster was created with: its state file, else its postgresql.conf. */
export function clusterPort(): number | undefined {
  const file = stateFile();
  if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as ClusterState).port;
  const conf = path.join(clusterDirs().dataDir, "postgresql.conf");
  if (!existsSync(conf)) return undefined;
  const ports = [...readFileSync(conf, "utf8").matchAll(/^\s*port\s*=\s*(\d+)/gm)];
  return ports.length ? Number(ports[ports.length - 1][1]) : undefined;
}

/**
 * A cluster listens on the port it was created with. A command asking for another one
 * (TENANTRY_DB_PORT differs, or is unset while the cluster was made on a custom port)
 * would otherwise talk to whatever listens there; say so instead.
 */
export function checkClusterPort(recorded: number | undefined, requested: number, env: NodeJS.ProcessEnv = process.env): void {
  if (recorded === undefined || recorded === requested) return;
  const variable = env.TENANTRY_DB_PORT;
  const asked = variable === undefined || variable.trim() === "" ? `TENANTRY_DB_PORT is unset (default ${requested})` : `TENANTRY_DB_PORT is ${requested}`;
  throw new Error(
    `the local cluster was created on port ${recorded}, but ${asked}.\n` +
      `Run the command with TENANTRY_DB_PORT=${recorded}, or recreate the cluster on port ${requested} ` +
      `with \`npm run db:reset\` (deletes the local databases).`,
  );
}

const pgCtl = (...args: string[]) => run(`${binDir}/pg_ctl`, ["-D", clusterDirs().dataDir, ...args], { asPostgres: true });

function ownByPostgres(dir: string) {
  mkdirSync(dir, { recursive: true });
  if (isRoot) return run("chown", ["-R", "postgres:postgres", dir]);
}

/** Creates the cluster with `supabase_admin` as the initdb superuser, as Supabase does. */
async function initCluster(): Promise<void> {
  const { dataDir, runDir } = clusterDirs();
  await ownByPostgres(dataDir);
  await ownByPostgres(runDir);
  const pwfile = path.join(runDir, "initdb.pw");
  writeFileSync(pwfile, `${local.password}\n`);
  if (isRoot) await run("chown", ["postgres:postgres", pwfile]);
  await run(
    `${binDir}/initdb`,
    [
      "-D", dataDir,
      "-U", "supabase_admin",
      `--pwfile=${pwfile}`,
      "--auth-host=scram-sha-256",
      "--auth-local=trust",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
    ],
    { asPostgres: true },
  );
  rmSync(pwfile);
  const state: ClusterState = { port: local.dbPort, pgMajor: local.pgMajor, dataDir, createdAt: new Date().toISOString() };
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
  // A throwaway development cluster: durability settings off for speed.
  appendFileSync(
    path.join(dataDir, "postgresql.conf"),
    [
      "",
      "# tenantry local stack",
      `listen_addresses = '${local.host}'`,
      `port = ${local.dbPort}`,
      `unix_socket_directories = '${runDir}'`,
      "max_connections = 200",
      "shared_buffers = 256MB",
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "log_min_messages = warning",
      "",
    ].join("\n"),
  );
}

async function isRunning(): Promise<boolean> {
  try {
    await pgCtl("status");
    return true;
  } catch {
    return false;
  }
}

export function clusterExists(): boolean {
  return existsSync(path.join(clusterDirs().dataDir, "PG_VERSION"));
}

/** Ensures the local cluster exists and runs. Returns true when it was created just now. */
export async function ensureCluster(): Promise<{ created: boolean; url: string }> {
  if (clusterExists()) checkClusterPort(clusterPort(), local.dbPort);
  await ensureInstalled();
  const created = !clusterExists();
  if (created) await initCluster();
  if (!(await isRunning())) {
    const { runDir } = clusterDirs();
    await ownByPostgres(runDir);
    const logFile = path.join(runDir, "postgres.log");
    try {
      await pgCtl("start", "-w", "-t", "60", "-l", logFile);
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join("\n") : "";
      throw new Error(`could not start PostgreSQL on port ${local.dbPort} (set TENANTRY_DB_PORT to use another port)\n${log}`, {
        cause: error,
      });
    }
  }
  return { created, url: localDbUrl() };
}

export async function stopCluster(): Promise<void> {
  if (clusterExists() && (await isRunning())) await pgCtl("stop", "-m", "fast", "-w");
}

/** Deletes the local cluster's data entirely. */
export async function destroyCluster(): Promise<void> {
  await stopCluster();
  rmSync(clusterDirs().dataDir, { recursive: true, force: true });
  rmSync(stateFile(), { force: true });
}
