// Concurrency suite (issue 14), part 1: parallel first logins for one identity make
// exactly one of everything (SPEC F1, F2): profile, personal organization, membership,
// starter project, identity key (private.caller_identities), platform roles from groups,
// the tenant's organization, and their audit events. provisioning.test.ts and
// jit-provisioning.test.ts already run 20 repairs / 20 first requests side by side; here
// every racer queues behind a first login this test holds open (or behind the lock it
// serialises on), so all of them really overlap, and the identity key, role grants and
// the shared tenant are counted too.
// (The rest of the suite: see the header of concurrency-owners.test.ts.)
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, sql } from "../helpers/callers.ts";
import { startTestIdp, type TestIdp, type TestProvider } from "../helpers/identity-provider.ts";
import { asSupabaseUser, heldTransaction, queuedBehind, racePool, tally, track } from "../helpers/races.ts";
import { functionUrl, uniqueEmail } from "../helpers/stack.ts";

const race = racePool(24);
let idp: TestIdp;
let clerk: TestProvider;
const group = `concurrency-first-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  idp = await startTestIdp(sql);
  clerk = await idp.provider(`clerk-first-${randomUUID().slice(0, 6)}`, { kind: "clerk" });
});
afterAll(async () => {
  await sql`delete from private.group_role_mappings where group_key = ${group}`;
  await sql`delete from public.organizations where id in (select organization_id from private.organization_links where issuer = ${clerk.issuer})`;
  await sql`delete from public.profiles where identity_provider = ${clerk.issuer}`;
  await idp.close();
});

const me = (token: string) => fetch(functionUrl("me"), { headers: { authorization: `Bearer ${token}` } });
const statusOf = async (r: ReturnType<typeof track<Response>>) => ((s) => (s.status === "fulfilled" ? s.value.status : 0))(await r.promise);

/** Everything provisioning makes for a Supabase Auth user, counted. */
async function rowsOfSupabaseUser(userId: string) {
  const [row] = await sql`
    select (select count(*)::int from public.profiles where id = ${userId}) as profiles,
           (select count(*)::int from public.organizations where is_personal and created_by = ${userId}) as personal_orgs,
           (select count(*)::int from public.memberships where user_id = ${userId}) as memberships,
           (select count(*)::int from public.projects p join public.organizations o on o.id = p.organization_id
             where o.is_personal and o.created_by = ${userId}) as starter_projects,
           (select count(*)::int from private.caller_identities where profile_id = ${userId}) as identity_keys,
           (select count(*)::int from public.audit_events where target_id = ${userId}::text) as audit_events`;
  return row;
}

/** A Supabase Auth user whose rows are missing (a user from before Tenantry, or a failed provisioning). */
async function legacyUser(): Promise<string> {
  const user = await auth.signUp({ email: uniqueEmail("legacy") });
  await sql`delete from public.profiles where id = ${user.id}`;
  return user.id;
}

describe("parallel first logins for one identity", () => {
  it("Supabase Auth: 20 sessions of a legacy user repairing at once (ensure_provisioned) make what one repair makes", async () => {
    const control = await legacyUser();
    await asSupabaseUser(race, auth.issuer, control, (tx) => tx`select public.ensure_provisioned()`);
    const expected = await rowsOfSupabaseUser(control);
    expect(expected).toMatchObject({ profiles: 1, personal_orgs: 1, memberships: 1, starter_projects: 1, identity_keys: 1 });

    const userId = await legacyUser();
    // The first repair, held before commit: the 20 others overlap it and each other.
    const first = heldTransaction(race, async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated", iss: auth.issuer })}, true)`;
      await tx`select public.ensure_provisioned()`;
    });
    const holder = await first.ready;
    const others = Array.from({ length: 20 }, () => track(asSupabaseUser(race, auth.issuer, userId, (tx) => tx`select public.ensure_provisioned() as result`)));
    expect(await queuedBehind(sql, holder, 20)).toBe(20);
    first.release();
    await first.done;
    expect(tally(await Promise.all(others.map((o) => o.promise)))).toEqual({ ok: 20 });
    expect(await rowsOfSupabaseUser(userId)).toEqual(expected);
  });

  it("JIT: 20 first requests of one third-party identity with groups at once: one profile, identity key, role grant, organization, membership", async () => {
    await sql`insert into private.group_role_mappings (group_key, role) values (${group}, 'auditor') on conflict do nothing`;
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const tenant = `org_${randomUUID().slice(0, 12)}`;
    const token = await clerk.sign({ sub, email: `${sub}@first.test`, org_id: tenant, org_slug: tenant, org_role: "org:member", groups: [group] });
    // Hold the lock first requests of this identity serialise on: all 20 queue behind it.
    const lock = heldTransaction(race, (tx) => tx`select pg_advisory_xact_lock(hashtextextended(${"tenantry.identity:" + clerk.issuer + "|" + sub}, 0))`);
    const holder = await lock.ready;
    const requests = Array.from({ length: 20 }, () => track(me(token)));
    // Checked after the outcome: without the lock nobody queues, and the outcome shows it.
    const waited = await queuedBehind(sql, holder, 4, () => requests.every((r) => r.settled()));
    lock.release();
    await lock.done;
    expect((await Promise.all(requests.map(statusOf))).every((s) => s === 200)).toBe(true);
    const [row] = await sql`
      with p as (select id from public.profiles where identity_provider = ${clerk.issuer} and identity_sub = ${sub})
      select (select count(*)::int from p) as profiles,
             (select count(*)::int from private.caller_identities k join p on p.id = k.profile_id) as identity_keys,
             (select count(*)::int from public.platform_role_assignments a join p on p.id = a.user_id) as platform_roles,
             (select count(*)::int from public.audit_events e join p on p.id::text = e.target_id where e.action = 'platform_role.grant') as grant_events,
             (select count(*)::int from public.audit_events e join p on p.id::text = e.target_id where e.action = 'user.provision') as provision_events,
             (select count(*)::int from private.organization_links where issuer = ${clerk.issuer} and external_id = ${tenant}) as organizations,
             (select count(*)::int from public.memberships m join p on p.id = m.user_id) as memberships`;
    expect(row).toEqual({ profiles: 1, identity_keys: 1, platform_roles: 1, grant_events: 1, provision_events: 1, organizations: 1, memberships: 1 });
    expect(waited).toBeGreaterThanOrEqual(4);
  });

  it("JIT: 10 new identities of one new tenant signing in at once: one organization for the tenant, 10 memberships", async () => {
    const tenant = `org_${randomUUID().slice(0, 12)}`;
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      clerk.sign({ sub: `user_${randomUUID().slice(0, 12)}_${i}`, email: `t${i}-${tenant}@first.test`, org_id: tenant, org_slug: tenant, org_role: "org:member" })));
    const lock = heldTransaction(race, (tx) => tx`select pg_advisory_xact_lock(hashtextextended(${"tenantry.tenant:" + clerk.issuer + "|" + tenant}, 0))`);
    const holder = await lock.ready;
    const requests = tokens.map((t) => track(me(t)));
    // Checked after the outcome: without the lock nobody queues, and the outcome shows it.
    const waited = await queuedBehind(sql, holder, 4, () => requests.every((r) => r.settled()));
    lock.release();
    await lock.done;
    expect((await Promise.all(requests.map(statusOf))).every((s) => s === 200)).toBe(true);
    const links = await sql`select organization_id from private.organization_links where issuer = ${clerk.issuer} and external_id = ${tenant}`;
    expect(links).toHaveLength(1);
    const [row] = await sql`
      select (select count(*)::int from public.memberships where organization_id = ${links[0].organization_id}) as memberships,
             (select count(*)::int from public.audit_events where action = 'organization.create' and organization_id = ${links[0].organization_id}) as create_events`;
    expect(row).toEqual({ memberships: 10, create_events: 1 });
    expect(waited).toBeGreaterThanOrEqual(4);
  });
});
