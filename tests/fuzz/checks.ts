// The batch checks: every caller's view of every client-reachable table (discovered from
// the catalog) against the model's rules, and the database's state against the model's
// (memberships, platform roles, disabled users, data rows, invitations, tokens) with the
// invariants the README promises (an organization always keeps an owner).
import type postgres from "postgres";
import { withIdentity } from "../../functions/_shared/db.ts";
import { tableRules, type Row } from "./visibility.ts";
import { describeCaller, type World } from "./world.ts";

export interface ReachableTable {
  name: string;
  keys: string[];
  /** anon may read it at all (else the Data API refuses anonymous reads before RLS). */
  anonReads: boolean;
}

/** Tables and views in the schemas the Data API exposes (private.exposed_schemas) that anon or authenticated hold any privilege on. */
export async function reachableTables(sql: postgres.Sql): Promise<ReachableTable[]> {
  const rows = await sql<{ name: string; keys: string[]; anon_reads: boolean }[]>`
    with exposed as (select pg_catalog.unnest(private.exposed_schemas()) as nspname)
    select pg_catalog.format('%I.%I', n.nspname, c.relname) as name,
           coalesce((select array_agg(a.attname::text order by k.ord)
                     from pg_catalog.pg_index i
                     cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                     where i.indrelid = c.oid and i.indisprimary), '{}') as keys,
           pg_catalog.has_any_column_privilege('anon', c.oid, 'select') as anon_reads
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname in (select nspname from exposed)
      and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and exists (select 1 from (values ('anon'), ('authenticated')) r(role), (values ('select'), ('insert'), ('update'), ('references')) p(privilege)
                  where pg_catalog.has_any_column_privilege(r.role, c.oid, p.privilege))
          or (n.nspname in (select nspname from exposed) and c.relkind in ('r', 'p', 'v', 'm', 'f')
              and exists (select 1 from (values ('anon'), ('authenticated')) r(role), (values ('delete'), ('truncate'), ('trigger')) p(privilege)
                          where pg_catalog.has_table_privilege(r.role, c.oid, p.privilege)))
    order by 1`;
  return rows.map((r) => ({ name: r.name, keys: r.keys, anonReads: r.anon_reads }));
}

const keyOf = (table: ReachableTable, row: Row) => JSON.stringify(table.keys.map((k) => String(row[k])));
const quoteName = (name: string) => name.split(".").map((part) => `"${part.replace(/^"|"$/g, "")}"`).join(".");

export interface CheckResult {
  rowChecks: number;
  failures: string[];
}

export async function checkViews(sql: postgres.Sql, world: World, tables: ReachableTable[]): Promise<CheckResult> {
  const failures: string[] = [];
  let rowChecks = 0;
  const since = world.ids.auditSince;
  const filter = (table: ReachableTable) => (table.name === "public.audit_events" ? ` where id > ${since}` : "");
  const truth = new Map<string, Row[]>();
  const everyRow = new Map<string, Map<string, Row>>();
  for (const name of Object.keys(tableRules)) {
    if (!tables.some((t) => t.name === name)) failures.push(`${name} has a rule but clients can no longer reach it: the catalog and the model disagree`);
  }
  for (const table of tables) {
    const rule = tableRules[table.name];
    if (!rule) {
      failures.push(`${table.name} is reachable by clients but the model has no rule for who may see its rows`);
      continue;
    }
    if (table.keys.length === 0) {
      failures.push(`${table.name} has no primary key to compare rows by`);
      continue;
    }
    const rows = await sql.unsafe<Row[]>(`select * from ${quoteName(table.name)}${filter(table)}`);
    truth.set(table.name, rows.filter((row) => rule.inWorld(row, world.ids)));
    everyRow.set(table.name, new Map(rows.map((row) => [keyOf(table, row), row])));
  }
  for (const caller of world.callers()) {
    const seen = await withIdentity(sql, world.identity(caller), async (tx) => {
      const views = new Map<string, Row[]>();
      for (const table of tables) {
        if (!truth.has(table.name)) continue;
        const columns = table.keys.map((k) => `"${k}"`).join(", ");
        // An anonymous read of a table anon holds no grant on is refused (42501) before RLS: nothing seen.
        if (caller.kind === "anon" && !table.anonReads) {
          views.set(table.name, []);
          continue;
        }
        views.set(table.name, await tx.unsafe<Row[]>(`select ${columns} from ${quoteName(table.name)}${filter(table)}`));
      }
      return views;
    }, { method: "GET", path: "/rest/v1/fuzz-view" });
    world.model.memo.clear();
    for (const table of tables) {
      const rows = truth.get(table.name);
      if (!rows) continue;
      const rule = tableRules[table.name];
      if (caller.kind === "token" && rule.tokenUnreachable) continue;
      const view = seen.get(table.name)!;
      const visible = new Set(view.map((row) => keyOf(table, row)));
      const expected = new Set(rows.filter((row) => rule.visible(world.model, caller, row)));
      const inWorld = new Set(rows.map((row) => keyOf(table, row)));
      for (const row of rows) {
        rowChecks++;
        const key = keyOf(table, row);
        const should = expected.has(row);
        if (should && !visible.has(key)) failures.push(`${describeCaller(caller)} cannot see ${table.name} ${key}, which the rules let them see`);
        if (!should && visible.has(key)) failures.push(`LEAK: ${describeCaller(caller)} sees ${table.name} ${key} ${JSON.stringify(row)}`);
      }
      // Rows outside this world: the model knows none of their organizations or users, so
      // the rule decides on platform-wide permissions alone (a catalog table shows all).
      for (const row of view) {
        const key = keyOf(table, row);
        if (inWorld.has(key)) continue;
        rowChecks++;
        const whole = everyRow.get(table.name)!.get(key);
        // A row written after the truth was read (another world's lane) is judged when it is read next time.
        if (whole && !rule.visible(world.model, caller, whole)) failures.push(`LEAK: ${describeCaller(caller)} sees ${table.name} ${key}, a row of another world`);
      }
      if (failures.length > 20) return { rowChecks, failures };
    }
  }
  return { rowChecks, failures };
}

/** Column privileges: no client reads a secret's hash, and a table whose columns the README limits shows only those. */
export async function checkColumns(sql: postgres.Sql, tables: ReachableTable[]): Promise<string[]> {
  const failures: string[] = [];
  for (const table of tables) {
    const rule = tableRules[table.name];
    if (!rule) continue;
    const [schema, name] = table.name.split(".");
    const columns = await sql<{ role: string; column: string }[]>`
      select r.role, a.attname::text as column
      from pg_catalog.pg_attribute a
      cross join (values ('anon'), ('authenticated')) r(role)
      where a.attrelid = pg_catalog.format('%I.%I', ${schema}::text, ${name}::text)::regclass and a.attnum > 0 and not a.attisdropped
        and pg_catalog.has_column_privilege(r.role, a.attrelid, a.attnum, 'select')`;
    for (const { role, column } of columns) {
      if (rule.secretColumns?.includes(column)) failures.push(`${role} may read ${table.name}.${column}, a secret's hash`);
      if (rule.readableColumns && !rule.readableColumns.includes(column)) failures.push(`${role} may read ${table.name}.${column}; the README lists only ${rule.readableColumns.join(", ")}`);
    }
  }
  return failures;
}

/** The database's authorization state is the model's, and every organization keeps an owner. */
export async function checkState(sql: postgres.Sql, world: World): Promise<string[]> {
  const m = world.model;
  const failures: string[] = [];
  const orgIds = m.orgs.map((o) => o.id);
  const userIds = m.users.map((u) => u.id);
  const same = (what: string, db: string[], model: string[]) => {
    const a = [...db].sort();
    const b = [...model].sort();
    const missing = b.filter((x) => !a.includes(x));
    const extra = a.filter((x) => !b.includes(x));
    if (missing.length || extra.length) failures.push(`${what}: the database lacks [${missing.join(" ")}] and has extra [${extra.join(" ")}]`);
  };
  const memberships = await sql<{ o: string; u: string; role: string }[]>`
    select organization_id::text as o, user_id::text as u, role from public.memberships where organization_id = any (${orgIds}::uuid[])`;
  same("memberships", memberships.map((r) => `${r.o}/${r.u}/${r.role}`), m.orgs.flatMap((o) => [...o.members].map(([u, role]) => `${o.id}/${u}/${role}`)));
  for (const org of m.orgs) {
    if (!memberships.some((r) => r.o === org.id && r.role === "owner")) failures.push(`organization ${org.key} has no owner`);
  }
  const platform = await sql<{ u: string; role: string }[]>`
    select user_id::text as u, role from public.platform_role_assignments where user_id = any (${userIds}::uuid[])`;
  same("platform roles", platform.map((r) => `${r.u}/${r.role}`), m.users.flatMap((u) => [...u.platformRoles].map((role) => `${u.id}/${role}`)));
  const disabled = await sql<{ id: string }[]>`select id::text from public.profiles where id = any (${userIds}::uuid[]) and disabled_at is not null`;
  same("disabled users", disabled.map((r) => r.id), m.users.filter((u) => u.disabled).map((u) => u.id));
  const projects = await sql<{ id: string; o: string }[]>`select id::text, organization_id::text as o from public.projects where organization_id = any (${orgIds}::uuid[])`;
  same("projects", projects.map((r) => `${r.id}@${r.o}`), [...m.projects.values()].map((p) => `${p.id}@${p.orgId}`));
  const sessions = await sql<{ id: string }[]>`select id::text from public.research_sessions where user_id = any (${userIds}::uuid[])`;
  same("research sessions", sessions.map((r) => r.id), [...m.sessions.keys()]);
  const files = await sql<{ id: string }[]>`select id::text from public.draft_files where user_id = any (${userIds}::uuid[])`;
  same("draft files", files.map((r) => r.id), [...m.files.keys()]);
  const invitations = await sql<{ id: string; state: string }[]>`
    select id::text, case when accepted_at is not null then 'accepted' when revoked_at is not null then 'revoked' else 'pending' end as state
    from public.invitations where organization_id = any (${orgIds}::uuid[])`;
  same("invitations", invitations.map((r) => `${r.id}/${r.state}`), m.invitations.map((i) => `${i.id}/${i.state}`));
  const tokens = await sql<{ id: string; revoked: boolean }[]>`
    select id::text, revoked_at is not null as revoked from public.personal_access_tokens where user_id = any (${userIds}::uuid[])`;
  same("tokens", tokens.map((r) => `${r.id}/${r.revoked}`), m.tokens.map((t) => `${t.id}/${t.revoked}`));
  return failures;
}

