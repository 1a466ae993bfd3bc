// RLS cost at scale (issues 3 and 13). The same organizations and users are read through
// two org-scoped tables protected by protect_table(): public.projects (1,000,000 rows) and
// public.bench_projects_10m (10,000,000 rows), both indexed on the tenant column and on
// created_at. Each query runs as a user in 1, 10, 100 and 1,000 organizations and as a
// platform-wide reader, under RLS the way PostgREST runs it, against its true floor: the
// same rows fetched by a role that bypasses RLS, with the caller's organization ids
// written out as a literal array (looked up once, untimed; the platform reader's floor has
// no condition). A floor of the policy's own shape would share its planner blindness and
// hide it. Query and floor run interleaved; figures are medians.
import type postgres from "postgres";
import { percentile, round } from "./stats.ts";
import { timeCases } from "./server-timing.ts";

export const ISSUER = "https://bench.tenantry.test";
export const ORG_COUNTS = [1, 10, 100, 1000] as const;
const TABLES = [
  { key: "1m", table: "public.projects", rows: 1_000_000 },
  { key: "10m", table: "public.bench_projects_10m", rows: 10_000_000 },
] as const;
const QUERIES = ["list", "filtered", "point", "count"] as const;
type Query = (typeof QUERIES)[number];
type Caller = number | "platform";
const CALLERS: Caller[] = [...ORG_COUNTS, "platform"];

const orgId = (n: number | string) => `('00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const FIRST_ORG = "00000000-0000-4000-8000-000000000001";
export const PLATFORM_READER_ID = "00000000-0000-4000-a000-0000000000ff";

/** Seeds once; a later run finds the marker rows and reuses the data. */
export async function seedRlsData(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  // The measured users are third-party identities: their issuer must be registered (and
  // enabled) for the database to know them. Idempotent, so older bench databases get it too.
  await sql`
    insert into private.identity_providers (issuer, name, kind, jwks_url)
    values (${ISSUER}, 'Benchmark users', 'clerk', ${ISSUER + "/.well-known/jwks.json"})
    on conflict (issuer) do nothing`;
  const [seeded] = await sql`select 1 from public.organizations where slug = 'bench-10000'`;
  if (!seeded) {
    log("seeding 10,000 organizations, 100,000 users, 1,000,000 projects (once) ...");
    await sql.begin(async (tx) => {
      await tx.unsafe(`
        insert into public.organizations (id, slug, name, plan)
        select ${orgId("n")}, 'bench-' || n, 'Bench ' || n, 'enterprise' from generate_series(1, 10000) n`);
      await tx`
        insert into public.profiles (id, identity_provider, identity_sub, email, plan)
        select ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, ${ISSUER}, 'u' || n, 'u' || n || '@bench.test', 'enterprise'
        from generate_series(1, 100000) n`;
      // Background: every user belongs to two organizations.
      await tx.unsafe(`
        insert into public.memberships (organization_id, user_id, role)
        select ${orgId("o")}, ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, 'member'
        from generate_series(1, 100000) n, lateral (values (n % 10000 + 1), ((n * 7 + 3) % 10000 + 1)) as pick(o)
        on conflict do nothing`);
      // The measured users: one per organization count, member of the first k organizations.
      for (const k of ORG_COUNTS) {
        await tx`
          insert into public.profiles (id, identity_provider, identity_sub, email)
          values (${benchUserId(k)}, ${ISSUER}, ${"k" + k}, ${`k${k}@bench.test`})`;
        await tx.unsafe(`
          insert into public.memberships (organization_id, user_id, role)
          select ${orgId("n")}, '${benchUserId(k)}', 'member' from generate_series(1, ${k}) n`);
      }
      await tx.unsafe(`
        insert into public.projects (organization_id, name, created_by, created_at)
        select ${orgId("n % 10000 + 1")}, 'Project ' || n, null, timestamptz '2026-01-01' + (n * 31.5) * interval '1 second'
        from generate_series(1, 1000000) n`);
    });
    await sql`analyze public.organizations, public.profiles, public.memberships, public.projects`;
  }
  // Both tables are indexed on created_at too, so a list may walk it (the plan that wins
  // for callers in many organizations, and the one that loses for callers in few).
  await sql`create index if not exists bench_projects_created_at_idx on public.projects (created_at)`;
  // The platform-wide reader: platform role reader (data:read everywhere), no membership.
  await sql`
    insert into public.profiles (id, identity_provider, identity_sub, email)
    values (${PLATFORM_READER_ID}, ${ISSUER}, 'platform', 'platform@bench.test') on conflict do nothing`;
  await sql`
    insert into public.platform_role_assignments (user_id, role, source)
    values (${PLATFORM_READER_ID}, 'reader', 'admin') on conflict do nothing`;
  const [big] = await sql`select to_regclass('public.bench_projects_10m') as t`;
  if (!big.t) {
    log("seeding 10,000,000 rows of public.bench_projects_10m (once, about a minute) ...");
    await sql.begin(async (tx) => {
      await tx`
        create table public.bench_projects_10m (
          id uuid not null, organization_id uuid not null, name text not null, created_at timestamptz not null)`;
      await tx`comment on table public.bench_projects_10m is 'Benchmark only (tenantry_bench): the 10,000,000-row org-scoped table.'`;
      await tx.unsafe(`
        insert into public.bench_projects_10m
        select ('00000000-0000-4000-b000-' || lpad(to_hex(n), 12, '0'))::uuid, ${orgId("n % 10000 + 1")}, 'Project ' || n,
               timestamptz '2026-01-01' + (n * 3.15) * interval '1 second'
        from generate_series(1, 10000000) n`);
      await tx.unsafe("set local maintenance_work_mem = '512MB'");
      await tx`alter table public.bench_projects_10m add primary key (id)`;
      await tx`create index bench_projects_10m_created_at_idx on public.bench_projects_10m (created_at)`;
      // The application's way: protect_table adds RLS, the policies and the tenant index.
      await tx`select public.protect_table('public.bench_projects_10m', 'org')`;
    });
  }
  await sql`vacuum analyze public.bench_projects_10m`;
}

export function benchUserId(orgCount: number): string {
  return `00000000-0000-4000-a000-${String(orgCount).padStart(12, "0")}`;
}

function identity(caller: Caller) {
  const sub = caller === "platform" ? "platform" : `k${caller}`;
  return { role: "authenticated" as const, claims: { sub, iss: ISSUER, aud: "authenticated" } };
}

/** The organizations where the measured user holds data:read (what the select policy lets them read). */
async function readableOrgIds(sql: postgres.Sql, orgCount: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select m.organization_id as id from public.memberships m
    join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role and rp.permission = 'data:read'
    where m.user_id = ${benchUserId(orgCount)}`;
  return rows.map((r) => r.id);
}

function statements(table: string, query: Query, floor: string | null, pointId: string): { rls: string; floor: string } {
  const columns = "id, name, created_at";
  const order = "order by created_at desc limit 50";
  const also = (prefix: string) => (floor ? ` ${prefix} ${floor}` : "");
  switch (query) {
    case "list":
      return { rls: `select ${columns} from ${table} ${order}`, floor: `select ${columns} from ${table}${also("where")} ${order}` };
    case "filtered": {
      const oneOrg = `organization_id = '${FIRST_ORG}'`;
      return { rls: `select ${columns} from ${table} where ${oneOrg} ${order}`, floor: `select ${columns} from ${table} where ${oneOrg}${also("and")} ${order}` };
    }
    case "point":
      return { rls: `select id, name from ${table} where id = '${pointId}'`, floor: `select id, name from ${table} where id = '${pointId}'${also("and")}` };
    case "count":
      return { rls: `select count(*) from ${table}`, floor: `select count(*) from ${table}${also("where")}` };
  }
}

export async function rlsBench(sql: postgres.Sql, log: (msg: string) => void): Promise<Record<string, number>> {
  await seedRlsData(sql, log);
  const figures: Record<string, number> = {};
  const ratios: number[] = [];
  for (const { key, table, rows } of TABLES) {
    const [target] = await sql.unsafe(`select id from ${table} where organization_id = '${FIRST_ORG}' order by id limit 1`);
    for (const caller of CALLERS) {
      const suffix = caller === "platform" ? "platform" : caller === 1 ? "1org" : `${caller}orgs`;
      let floor: string | null = null;
      if (caller !== "platform") {
        const ids = await readableOrgIds(sql, caller);
        if (ids.length !== caller) throw new Error(`bench user in ${caller} organizations reads ${ids.length}`);
        floor = `organization_id = any ('{${ids.join(",")}}'::uuid[])`;
      }
      for (const query of QUERIES) {
        const { rls, floor: floorStatement } = statements(table, query, floor, target.id);
        // Counting 10,000,000 rows takes a while: fewer runs, same interleaving.
        const runs = query === "count" ? (rows > 1_000_000 ? 5 : 15) : 40;
        const [rlsTimes, floorTimes] = await timeCases(
          sql,
          [
            { statement: rls, identity: identity(caller) },
            { statement: floorStatement, identity: { role: null } },
          ],
          runs,
          query === "count" ? 1 : 3,
        );
        const rlsMs = percentile(rlsTimes, 50);
        const floorMs = percentile(floorTimes, 50);
        const name = `rls_${query}_${key}_${suffix}`;
        figures[`${name}_ms`] = round(rlsMs);
        figures[`${name}_floor_ms`] = round(floorMs);
        figures[`${name}_ratio`] = round(rlsMs / floorMs, 2);
        ratios.push(rlsMs / floorMs);
        if (query === "point" && key === "1m" && caller === 1) {
          // What authorization adds to a point lookup: the policy's calls, estimation included.
          figures.authz_per_statement_ms = round(rlsMs - floorMs, 3);
        }
      }
      log(`  ${table} as ${suffix}: ${QUERIES.map((q) => `${q} ${figures[`rls_${q}_${key}_${suffix}_ratio`]}×`).join(", ")}`);
    }
  }
  figures.rls_worst_ratio = round(Math.max(...ratios), 2);
  return figures;
}
