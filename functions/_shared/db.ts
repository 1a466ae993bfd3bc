// Database access under the caller's identity, exactly as PostgREST does it: one
// transaction per request (read-only for GET/HEAD), in which the target role's own
// settings, the role and the JWT claims are set transaction-locally. Functions hold
// no permission logic; RLS and SQL functions decide.
import postgres from "postgres";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The database roles a request may run as, the ones PostgREST switches to. */
export type ApiRole = "anon" | "authenticated" | "service_role";

export interface DbIdentity {
  role: ApiRole;
  /** The JWT claims, as PostgREST writes them into request.jwt.claims (role included). */
  claims: Record<string, unknown>;
  /** A verified third-party user: provision them (JIT) first, in the same transaction. */
  provision?: boolean;
  /**
   * USER_MGMT_ENFORCE is off (SPEC F15): the RPCs' permission checks pass for this active
   * signed-in caller. Set only by the function, through private.waive_enforcement(),
   * which the API roles cannot execute; RLS is unaffected.
   */
  waiveEnforcement?: boolean;
}

export interface RequestInfo {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** GET/HEAD run read-only unless the work may write (e.g. auditing a denial). */
  writable?: boolean;
}

/** `prepare: false` because the platform's pooler (6543) is in transaction mode. */
export function createPool(url: string, max = 5): Sql {
  return postgres(url, { prepare: false, max, idle_timeout: 20, onnotice: () => {} });
}

/**
 * The isolate's pool, replaced once one of its connections has died under a request.
 * postgres.js 3.4.9 does not recover cleanly from a connection that closes during a
 * transaction (porsager/postgres#1154, #1208, #1215, #1216, all open): begin()'s own
 * ROLLBACK is written to the closed socket from a timer, outside any promise, which ends
 * the process (every later request would get 502), and a connection that survives that
 * may hang or hand the dead backend's error to the next query. So the throw is caught
 * (installDeadSocketGuard) and the pool that saw the failure is ended, letting its other
 * requests finish, while a fresh one serves the next request.
 */
export class DatabasePool {
  private current?: Sql;

  constructor(
    private readonly url: string,
    private readonly max = 5,
  ) {
    livePools.add(this);
    installDeadSocketGuard();
  }

  get sql(): Sql {
    return (this.current ??= createPool(this.url, this.max));
  }

  /** After a connection-level failure of `failed` (a pool already replaced is left alone). */
  replace(failed: Sql = this.sql): void {
    if (this.current !== failed) return;
    this.current = undefined;
    failed.end({ timeout: 5 }).catch(() => {});
  }

  replaceAll(): void {
    if (this.current) this.replace(this.current);
  }
}

const livePools = new Set<DatabasePool>();
let guardInstalled = false;

/** postgres.js writing to a connection whose socket is gone: its nextWrite, from a timer. */
function isDeadSocketWrite(error: unknown): boolean {
  return error instanceof TypeError && /reading 'write'/.test(error.message) && /nextWrite[\s\S]*postgres/.test(error.stack ?? "");
}

/** Catches only that throw (anything else still ends the process) and replaces every pool: which one wrote is unknown. */
function installDeadSocketGuard(): void {
  const target = globalThis as { addEventListener?: (type: string, listener: (event: Event) => void) => void };
  if (guardInstalled || typeof target.addEventListener !== "function") return;
  guardInstalled = true;
  target.addEventListener("error", (event) => {
    if (!isDeadSocketWrite((event as ErrorEvent).error)) return;
    event.preventDefault();
    console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", message: "postgres.js wrote to a closed connection (porsager/postgres#1208); the pool is replaced" }));
    for (const pool of livePools) pool.replaceAll();
  });
}

const extraSearchPath = "public, extensions";

// ALTER ROLE ... SET values (statement_timeout etc.), read once per pool like PostgREST's cache.
// Only the settings the connecting role may set are applied, exactly as PostgREST selects them
// (src/PostgREST/Config/Database.hs): the role's setconfig joined with pg_settings, kept when the
// parameter's context is `user` or `has_parameter_privilege(current_user, name, 'SET')` holds.
// Supabase gives anon/authenticated `session_preload_libraries` (superuser-only) and the
// `safeupdate.enabled` placeholder; set_config would refuse the first ("permission denied to
// set parameter"), and a placeholder (a custom setting whose library this session has not loaded)
// never appears in pg_settings, so both are skipped, as PostgREST skips them. Database-specific values come last, so they win.
const roleSettingsCache = new WeakMap<Sql, Promise<Map<string, [string, string][]>>>();

function roleSettings(sql: Sql): Promise<Map<string, [string, string][]>> {
  let cached = roleSettingsCache.get(sql);
  if (!cached) {
    cached = sql<{ rolname: string; name: string; value: string }[]>`
      select r.rolname, setting.name, setting.value
      from pg_catalog.pg_db_role_setting d
      join pg_catalog.pg_roles r on r.oid = d.setrole
      cross join lateral pg_catalog.unnest(d.setconfig) with ordinality as entry(text, position)
      cross join lateral (
        select pg_catalog.lower(pg_catalog.split_part(entry.text, '=', 1)) as name,
               pg_catalog.substr(entry.text, pg_catalog.strpos(entry.text, '=') + 1) as value
      ) setting
      join pg_catalog.pg_settings s on s.name = setting.name
      where r.rolname in ('anon', 'authenticated', 'service_role')
        and d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()))
        and (s.context = 'user' or pg_catalog.has_parameter_privilege(current_user, s.name, 'SET'))
      order by r.rolname, d.setdatabase, entry.position`
      .then((rows) => {
        const settings = new Map<string, [string, string][]>();
        for (const row of rows) settings.set(row.rolname, [...(settings.get(row.rolname) ?? []), [row.name, row.value]]);
        return settings;
      })
      .catch((error) => {
        roleSettingsCache.delete(sql);
        throw error;
      });
    roleSettingsCache.set(sql, cached);
  }
  return cached;
}

/**
 * Runs `fn` in a transaction as the given identity. Everything is `set_config(..., true)`,
 * so nothing leaks to the next user of the pooled connection.
 */
export async function withIdentity<T>(
  sql: Sql,
  identity: DbIdentity,
  fn: (tx: Tx) => Promise<T>,
  request?: RequestInfo,
): Promise<T> {
  const settings = (await roleSettings(sql)).get(identity.role) ?? [];
  const readOnly =
    request !== undefined && !request.writable && !identity.provision && (request.method === "GET" || request.method === "HEAD");
  const claims = { ...identity.claims, role: identity.role };
  // One statement, in PostgREST's order: search_path, the role's settings, role, claims, request.
  const config: [string, string][] = [
    ["search_path", extraSearchPath],
    ...settings,
    ["role", identity.role],
    ["request.jwt.claims", JSON.stringify(claims)],
    ["request.method", request?.method ?? ""],
    ["request.path", request?.path ?? ""],
    ["request.headers", JSON.stringify(request?.headers ?? {})],
  ];
  const run = async (tx: Tx) => {
    // Still the function's own role here: the API roles may not execute this.
    if (identity.waiveEnforcement) await tx`select private.waive_enforcement()`;
    // The settings in order, then (once they are all set: the aggregate finishes first)
    // PostgREST's pre-request, which runs a caller with a platform role as
    // tenantry_platform and lets other requests be. One round trip.
    await tx`
      select tenantry_request.pre_request()
      from (
        select count(pg_catalog.set_config(name, value, true))
        from (select name, value
              from unnest(${config.map(([name]) => name)}::text[], ${config.map(([, value]) => value)}::text[])
                with ordinality as setting(name, value, position)
              order by position) as ordered
      ) as applied`;
    if (identity.provision) await tx`select private.provision_caller()`;
    return fn(tx);
  };
  return (readOnly ? sql.begin("read only", run) : sql.begin(run)) as Promise<T>;
}
