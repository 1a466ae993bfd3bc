// RLS cost at scale (issue 3): 1,000,000 projects over 10,000 organizations and
// 100,000 users. Each query runs as a user in 1, 10, 100 and 1,000 organizations under
// RLS, against its true floor: the same rows fetched by a role that bypasses RLS, with
// the caller's organization ids written out as literals (looked up once, untimed). A floor
// of the policy's own shape would share its planner blindness and hide it. Query and
// floor run interleaved.
import type postgres from "postgres";
import { percentile, round } from "./stats.ts";
import { timeCases } from "./server-timing.ts";

export const ISSUER = "https://bench.tenantry.test";
export const ORG_COUNTS = [1, 10, 100, 1000] as const;
const RUNS = 75;

/** Seeds once; a later run finds the marker organization and reuses the data. */
export async function seedRlsData(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  // The measured users are third-party identities: their issuer must be registered (and
  // enabled) for the database to know them. Idempotent, so older bench databases get it too.
  await sql`
    insert into private.identity_providers (issuer, name, kind, jwks_url)
    values (${ISSUER}, 'Benchmark users', 'clerk', ${ISSUER + "/.well-known/jwks.json"})
    on conflict (issuer) do nothing`;
  const [seeded] = await sql`select 1 from public.organizations where slug = 'bench-10000'`;
  if (seeded) return;
  log("seeding 10,000 organizations, 100,000 users, 1,000,000 projects (once) ...");
  await sql.begin(async (tx) => {
    await tx`
      insert into public.organizations (id, slug, name, plan)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench-' || n, 'Bench ' || n, 'enterprise'
      from generate_series(1, 10000) n`;
    await tx`
      insert into public.profiles (id, identity_provider, identity_sub, email, plan)
      select ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, ${ISSUER}, 'u' || n, 'u' || n || '@bench.test', 'enterprise'
      from generate_series(1, 100000) n`;
    // Background: every user belongs to two organizations.
    await tx`
      insert into public.memberships (organization_id, user_id, role)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(o), 12, '0'))::uuid,
             ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, 'member'
      from generate_series(1, 100000) n, lateral (values (n % 10000 + 1), ((n * 7 + 3) % 10000 + 1)) as pick(o)
      on conflict do nothing`;
    // The measured users: one per organization count, member of the first k organizations.
    for (const k of ORG_COUNTS) {
      await tx`
        insert into public.profiles (id, identity_provider, identity_sub, email)
        values (${benchUserId(k)}, ${ISSUER}, ${"k" + k}, ${`k${k}@bench.test`})`;
      await tx`
        insert into public.memberships (organization_id, user_id, role)
        select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, ${benchUserId(k)}, 'member'
        from generate_series(1, ${k}::int) n`;
    }
    await tx`
      insert into public.projects (organization_id, name, created_by, created_at)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(n % 10000 + 1), 12, '0'))::uuid, 'Project ' || n, null,
             timestamptz '2026-01-01' + (n * 31.5) * interval '1 second'
      from generate_series(1, 1000000) n`;
  });
  await sql`analyze public.organizations, public.profiles, public.memberships, public.projects`;
}

export function benchUserId(orgCount: number): string {
  return `00000000-0000-4000-a000-${String(orgCount).padStart(12, "0")}`;
}

function userIdentity(orgCount: number) {
  return { role: "authenticated" as const, claims: { sub: `k${orgCount}`, iss: ISSUER, aud: "authenticated" } };
}

/** The organizations where the measured user holds data:read (what projects_select_members lets them read). */
async function readableOrgIds(sql: postgres.Sql, orgCount: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select m.organization_id as id from public.memberships m
    join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role and rp.permission = 'data:read'
    where m.user_id = ${benchUserId(orgCount)}`;
  return rows.map((r) => r.id);
}

/** Those ids as literals: the condition a role that bypasses RLS needs to fetch the same rows. */
function floorCondition(ids: string[]): string {
  return `organization_id = any ('{${ids.join(",")}}'::uuid[])`;
}

const LIST = "select id, name, created_at from public.projects";
const ORDER = "order by created_at desc limit 50";

/** Medians of the query under RLS and of its floor, timed interleaved. */
async function ratio(sql: postgres.Sql, rlsQuery: string, floorQuery: string, orgCount: number) {
  const [rls, floor] = await timeCases(
    sql,
    [
      { statement: rlsQuery, identity: userIdentity(orgCount) },
      { statement: floorQuery, identity: { role: null } },
    ],
    RUNS,
  );
  const rlsMedian = percentile(rls, 50);
  const floorMedian = percentile(floor, 50);
  return { rlsMedian, floorMedian, ratio: rlsMedian / floorMedian };
}

export async function rlsBench(sql: postgres.Sql, log: (msg: string) => void): Promise<Record<string, number>> {
  await seedRlsData(sql, log);
  const figures: Record<string, number> = {};
  for (const k of ORG_COUNTS) {
    const suffix = k === 1 ? "1org" : `${k}orgs`;
    const ids = await readableOrgIds(sql, k);
    if (ids.length !== k) throw new Error(`bench user in ${k} organizations reads ${ids.length}`);
    const list = await ratio(sql, `${LIST} ${ORDER}`, `${LIST} where ${floorCondition(ids)} ${ORDER}`, k);
    figures[`rls_list_ms_${suffix}`] = round(list.rlsMedian);
    figures[`rls_list_floor_ms_${suffix}`] = round(list.floorMedian);
    figures[`rls_list_ratio_${suffix}`] = round(list.ratio, 2);

    const oneOrg = "organization_id = '00000000-0000-4000-8000-000000000001'";
    const filtered = await ratio(sql, `${LIST} where ${oneOrg} ${ORDER}`, `${LIST} where ${oneOrg} and ${floorCondition(ids)} ${ORDER}`, k);
    figures[`rls_filtered_ms_${suffix}`] = round(filtered.rlsMedian);
    figures[`rls_filtered_ratio_${suffix}`] = round(filtered.ratio, 2);
  }
  const [target] = await sql`select id from public.projects where organization_id = '00000000-0000-4000-8000-000000000001' limit 1`;
  const point = `select id, name from public.projects where id = '${target.id}'`;
  const pointRatio = await ratio(sql, point, `${point} and ${floorCondition(await readableOrgIds(sql, 1000))}`, 1000);
  figures.rls_point_ms = round(pointRatio.rlsMedian);
  figures.rls_point_ratio = round(pointRatio.ratio, 2);
  return figures;
}
