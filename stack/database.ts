// The database every command works on: the project-local cluster, or the one named
// by SUPABASE_DB_URL / DATABASE_URL. Bootstraps the Supabase platform layer where it
// is missing, then lets the real Supabase CLI apply the migrations.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { destroyCluster, ensureCluster } from "./cluster.ts";
import { externalDbUrl, localDbUrl, projectRoot, withUser } from "./settings.ts";
import { run } from "./shell.ts";

const platformDir = path.join(projectRoot, "stack", "platform");
const supabaseBin = path.join(projectRoot, "node_modules", ".bin", "supabase");

export interface Database {
  url: string;
  /** Login URL for supabase_auth_admin, the role GoTrue (and so our token minting) uses. */
  authAdminUrl: string;
  local: boolean;
}

/** True when the target already has what a Supabase database has (roles and `auth`). */
export async function hasPlatformLayer(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`
      select to_regclass('auth.users') is not null
         and (select count(*) from pg_roles
              where rolname in ('anon', 'authenticated', 'service_role', 'supabase_auth_admin')) = 4
         as present`;
    return row.present as boolean;
  } finally {
    await sql.end();
  }
}

/** Whether the cluster-wide Supabase roles exist yet (01_roles.sql has run in some database). */
async function hasPlatformRoles(superuserUrl: string): Promise<boolean> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') as present`;
    return row.present as boolean;
  } finally {
    await sql.end();
  }
}

/**
 * Applies stack/platform/*.sql in order, as the superuser, in one transaction.
 * 01_roles.sql is cluster-wide and runs only for the first database of a cluster.
 */
async function bootstrapPlatform(superuserUrl: string, options: { roles: boolean }): Promise<void> {
  const files = readdirSync(platformDir)
    .filter((f) => f.endsWith(".sql") && (options.roles || !f.startsWith("01_")))
    .sort();
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      for (const file of files) await tx.unsafe(readFileSync(path.join(platformDir, file), "utf8"));
    });
  } finally {
    await sql.end();
  }
}

/** `supabase db push` against the URL: applies pending migrations, a no-op when up to date. */
export async function pushMigrations(url: string, options: { seed?: boolean } = {}): Promise<string> {
  const args = ["db", "push", `--remote=${url}`, "--yes", "--workdir", projectRoot];
  if (options.seed) args.push("--include-seed");
  const result = await run(supabaseBin, args, { cwd: projectRoot });
  return (result.stdout + result.stderr).trim();
}

/**
 * Brings the target database to the current schema. The local cluster is created,
 * bootstrapped and seeded on first use; an external database is only ever migrated.
 */
export async function ensureDatabase(options: { quiet?: boolean } = {}): Promise<Database> {
  const log = options.quiet ? () => {} : (msg: string) => console.log(msg);
  const external = externalDbUrl();
  if (external) {
    if (!(await hasPlatformLayer(external))) {
      throw new Error(
        "the database at SUPABASE_DB_URL lacks the Supabase platform layer (auth schema and API roles).\n" +
          "Point it at a Supabase database (supabase start, or a hosted project).",
      );
    }
    log(`database: ${redact(external)} (external; platform bootstrap skipped)`);
    await pushMigrations(external);
    return { url: external, authAdminUrl: authAdminUrl(external), local: false };
  }

  const { created } = await ensureCluster();
  const url = localDbUrl();
  let seed = false;
  // Before the bootstrap only the initdb superuser exists, so ask as that role.
  if (!(await hasPlatformLayer(localDbUrl("supabase_admin")))) {
    log("database: bootstrapping the Supabase platform layer ...");
    await bootstrapPlatform(localDbUrl("supabase_admin"), { roles: !(await hasPlatformRoles(localDbUrl("supabase_admin"))) });
    seed = true;
  }
  const output = await pushMigrations(url, { seed });
  if (created || seed) log(output);
  log(`database: ${redact(url)}`);
  return { url, authAdminUrl: localDbUrl("supabase_auth_admin"), local: true };
}

/**
 * Another database in the local cluster (benchmarks, the test database): created with the
 * platform layer on first use (`fresh`: dropped and created again), then migrated
 * (`seed`: the seed too, on creation). The development database is neither read nor written.
 */
export async function ensureLocalDatabase(name: string, options: { fresh?: boolean; seed?: boolean } = {}): Promise<Database> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name "${name}"`);
  await ensureCluster();
  const adminUrl = localDbUrl("supabase_admin");
  const roles = !(await hasPlatformRoles(adminUrl));
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  let created = false;
  try {
    if (options.fresh) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) {
      await admin.unsafe(`create database ${name}`);
      created = true;
    }
  } finally {
    await admin.end();
  }
  if (created) await bootstrapPlatform(localDbUrl("supabase_admin", name), { roles });
  const url = localDbUrl("postgres", name);
  await pushMigrations(url, { seed: created && options.seed });
  return { url, authAdminUrl: localDbUrl("supabase_auth_admin", name), local: true };
}

/** The local cluster's database that `npm test` rebuilds for every run; never the development one. */
export const testDatabaseName = "tenantry_test";

/** Set by `npm test` for vitest's global setup: the test database it has just rebuilt. */
export const testDbUrlVariable = "TENANTRY_TEST_DB_URL";

/**
 * Where the tests run: SUPABASE_DB_URL/DATABASE_URL when set (tests then write test
 * users there, as they always did), else the local cluster's tenantry_test database.
 */
export function testDatabaseTarget(): { url: string; authAdminUrl: string; local: boolean } {
  const external = externalDbUrl();
  if (external) return { url: external, authAdminUrl: authAdminUrl(external), local: false };
  return {
    url: localDbUrl("postgres", testDatabaseName),
    authAdminUrl: localDbUrl("supabase_auth_admin", testDatabaseName),
    local: true,
  };
}

/**
 * The database the tests use. Locally: tenantry_test, dropped and rebuilt from scratch
 * (platform layer, migrations, seed) so no state of the developer's database, nor of an
 * earlier run, reaches a test; the development database is neither read nor written.
 * With SUPABASE_DB_URL set: that database, migrated (see ensureDatabase).
 */
export async function ensureTestDatabase(options: { quiet?: boolean } = {}): Promise<Database> {
  if (externalDbUrl()) return ensureDatabase(options);
  const db = await ensureLocalDatabase(testDatabaseName, { fresh: true, seed: true });
  if (!options.quiet) console.log(`database: ${redact(db.url)} (rebuilt for this test run)`);
  return db;
}

/** Drops the local database and rebuilds it: platform layer, migrations, seed. */
export async function resetDatabase(): Promise<Database> {
  if (externalDbUrl()) {
    throw new Error(
      "refusing to reset: SUPABASE_DB_URL/DATABASE_URL is set, and reset only ever rebuilds the local cluster.",
    );
  }
  await destroyCluster();
  return ensureDatabase();
}

function authAdminUrl(url: string): string {
  return process.env.SUPABASE_AUTH_ADMIN_DB_URL || withUser(url, "supabase_auth_admin");
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "****";
  return u.toString();
}

/**
 * Makes the database take tokens of this stack's Auth stand-in (`<url>/auth/v1`) for
 * Supabase Auth users, as a deployment does with its project's issuer: SQL trusts only
 * the issuers listed in private.settings.auth_issuers. Answers whether it added the issuer
 * (false: it was trusted already).
 */
export async function trustAuthIssuer(url: string, issuer: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const added = await sql`
      update private.settings set auth_issuers = array_append(auth_issuers, ${issuer}::text)
      where not (${issuer}::text = any (auth_issuers))`;
    return added.count > 0;
  } finally {
    await sql.end();
  }
}

/**
 * Undoes trustAuthIssuer when the stack stops. Every issuer left trusted costs each
 * Supabase Auth sign-up another caller key (private.caller_identities), so a database
 * that outlives many stacks on random ports (the benchmark's) would otherwise measure a
 * deployment that trusts dozens of issuers. Other stacks' issuers stay.
 */
export async function distrustAuthIssuer(url: string, issuer: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`
      update private.settings set auth_issuers = array_remove(auth_issuers, ${issuer}::text)
      where ${issuer}::text = any (auth_issuers)`;
  } finally {
    await sql.end();
  }
}
