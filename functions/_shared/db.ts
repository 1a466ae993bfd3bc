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
}

export interface RequestInfo {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** GET/HEAD run read-only unless the work may write (e.g. auditing a denial). */
  writable?: boolean;
}

/** One pool per isolate. `prepare: false` because the platform's pooler (6543) is in transaction mode. */
export function createPool(url: string, max = 5): Sql {
  return postgres(url, { prepare: false, max, idle_timeout: 20, onnotice: () => {} });
}

const extraSearchPath = "public, extensions";

// ALTER ROLE ... SET values (statement_timeout etc.), read once per pool like PostgREST's cache.
const roleSettingsCache = new WeakMap<Sql, Promise<Map<string, [string, string][]>>>();

function roleSettings(sql: Sql): Promise<Map<string, [string, string][]>> {
  let cached = roleSettingsCache.get(sql);
  if (!cached) {
    cached = sql<{ rolname: string; setconfig: string[] }[]>`
      select r.rolname, s.setconfig
      from pg_catalog.pg_db_role_setting s
      join pg_catalog.pg_roles r on r.oid = s.setrole
      where r.rolname in ('anon', 'authenticated', 'service_role')
        and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))`
      .then((rows) => {
        const settings = new Map<string, [string, string][]>();
        for (const row of rows) {
          const pairs = row.setconfig.map((entry) => {
            const eq = entry.indexOf("=");
            return [entry.slice(0, eq), entry.slice(eq + 1)] as [string, string];
          });
          settings.set(row.rolname, [...(settings.get(row.rolname) ?? []), ...pairs]);
        }
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
    await tx`
      select pg_catalog.set_config(name, value, true)
      from unnest(${config.map(([name]) => name)}::text[], ${config.map(([, value]) => value)}::text[])
        with ordinality as setting(name, value, position)
      order by position`;
    if (identity.provision) await tx`select private.provision_caller()`;
    return fn(tx);
  };
  return (readOnly ? sql.begin("read only", run) : sql.begin(run)) as Promise<T>;
}
