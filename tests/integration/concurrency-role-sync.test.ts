// Concurrency suite (issue 14), part 6: a third-party sign-in's role sync (IdP groups →
// platform roles, token role → organization role; SPEC F2, F7, F8) racing an admin's
// change to the same user. The documented winners: an override an admin saved is never
// lost (sync waits for it, or the admin's change waits for the sync, and the second
// sees the first); the IdP decides the role in its tenant's organization at each
// sign-in, never demoting its last owner; and there is only ever one membership.
// Each race is forced: one side is held open until the other is seen waiting or done.
// (The rest of the suite: see the header of concurrency-owners.test.ts.)
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, call, platformUser, sql, type TestCaller } from "../helpers/callers.ts";
import { startTestIdp, type TestIdp, type TestProvider } from "../helpers/identity-provider.ts";
import { heldTransaction, queuedBehind, racePool, track } from "../helpers/races.ts";
import { functionUrl } from "../helpers/stack.ts";

const race = racePool(8);
let idp: TestIdp;
let clerk: TestProvider;
let admin: TestCaller;
// A group of this file's own, mapped to auditor (other files replace the whole mapping
// only around their own runs; this row is written again before each test).
const group = `concurrency-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  idp = await startTestIdp(sql);
  clerk = await idp.provider(`clerk-sync-${randomUUID().slice(0, 6)}`, { kind: "clerk" });
  admin = await platformUser("admin");
});
afterAll(async () => {
  await sql`delete from private.group_role_mappings where group_key = ${group}`;
  // The tenants' organizations first: an organization whose owners' profiles go keeps them otherwise.
  await sql`delete from public.organizations where id in (select organization_id from private.organization_links where issuer = ${clerk.issuer})`;
  await sql`delete from public.profiles where identity_provider = ${clerk.issuer}`;
  await idp.close();
});

async function mapGroup(): Promise<void> {
  await sql`insert into private.group_role_mappings (group_key, role) values (${group}, 'auditor') on conflict do nothing`;
}

const me = (token: string) => fetch(functionUrl("me"), { headers: { authorization: `Bearer ${token}` } });

/** A Clerk user's token; `groups` as the IdP sends them, `role` their role in tenant `org`. */
function tokenOf(sub: string, claims: { groups?: string[]; org?: string; role?: string } = {}) {
  return clerk.sign({
    sub, email: `${sub}@sync.test`, email_verified: true,
    ...(claims.groups ? { groups: claims.groups } : {}),
    ...(claims.org ? { org_id: claims.org, org_slug: claims.org, org_role: claims.role ?? "org:member" } : {}),
  });
}

async function signIn(sub: string, claims: Parameters<typeof tokenOf>[1] = {}): Promise<string> {
  const res = await me(await tokenOf(sub, claims));
  expect(res.status).toBe(200);
  return (await res.json()).profile.id;
}

async function platformRoles(userId: string): Promise<string[]> {
  const rows = await sql`select role from public.platform_role_assignments where user_id = ${userId} order by role`;
  return rows.map((r) => r.role);
}

/** The same session an admin's RPC has (role, claims, pre-request), in a transaction the test holds open. */
async function asAdmin(tx: import("../../functions/_shared/db.ts").Tx) {
  await tx`select set_config('role', 'authenticated', true),
                  set_config('request.jwt.claims', ${JSON.stringify({ sub: admin.id, role: "authenticated", aud: "authenticated", iss: auth.issuer })}, true)`;
  await tx`select tenantry_request.pre_request()`;
}

const suppress = (userId: string) =>
  call(`admin/users/${userId}/role-overrides`, admin.token, {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ paused: false, preserved: [], suppressed: ["auditor"] }),
  });

describe("IdP group sync racing an admin's role override", () => {
  it("a suppression being saved while the user signs in: the suppressed role is not held afterwards", async () => {
    await mapGroup();
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const userId = await signIn(sub, { groups: [group] });
    expect(await platformRoles(userId)).toEqual(["auditor"]);
    const saving = heldTransaction(race, async (tx) => {
      await asAdmin(tx);
      const [{ result }] = await tx`select public.set_role_overrides(${userId}::uuid, false, '{}', '{auditor}') as result`;
      expect(result.suppressed).toEqual(["auditor"]);
    });
    const adminPid = await saving.ready;
    const signingIn = track(me(await tokenOf(sub, { groups: [group] })));
    await queuedBehind(sql, adminPid, 1, signingIn.settled);
    saving.release();
    await saving.done;
    const res = await signingIn.promise;
    expect(res.status === "fulfilled" && res.value.status).toBe(200);
    expect(await platformRoles(userId)).toEqual([]);
  });

  it("a sign-in syncing while an admin saves a suppression: the suppressed role is not held afterwards", async () => {
    await mapGroup();
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const userId = await signIn(sub, { groups: [] });
    expect(await platformRoles(userId)).toEqual([]);
    // The sign-in that brings the group, as supabase-js's rpc('ensure_provisioned') runs it, held before commit.
    const claims = { iss: clerk.issuer, sub, role: "authenticated", email: `${sub}@sync.test`, email_verified: true, groups: [group] };
    const syncing = heldTransaction(race, async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      await tx`select public.ensure_provisioned()`;
    });
    const syncPid = await syncing.ready;
    const saving = track(suppress(userId));
    await queuedBehind(sql, syncPid, 1, saving.settled);
    syncing.release();
    await syncing.done;
    const res = await saving.promise;
    expect(res.status === "fulfilled" && res.value.status).toBe(200);
    expect(await platformRoles(userId)).toEqual([]);
    const [override] = await sql`select suppressed from public.role_overrides where user_id = ${userId}`;
    expect(override.suppressed).toEqual(["auditor"]);
  });
});

describe("tenant role sync racing an admin's membership change", () => {
  it("an admin adding the user to their tenant's organization while their sign-in adds them: one membership, the sign-in succeeds, the IdP's role", async () => {
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const tenant = `org_${randomUUID().slice(0, 12)}`;
    const userId = await signIn(sub, { org: tenant, role: "org:member" });
    const [{ organization_id: orgId }] = await sql`select organization_id from private.organization_links where issuer = ${clerk.issuer} and external_id = ${tenant}`;
    await sql`delete from public.memberships where organization_id = ${orgId} and user_id = ${userId}`;
    const adding = heldTransaction(race, async (tx) => {
      await asAdmin(tx);
      const [{ result }] = await tx`select public.add_member(${orgId}::uuid, ${userId}::uuid, null, 'admin') as result`;
      expect(result.role).toBe("admin");
    });
    const adminPid = await adding.ready;
    const signingIn = track(me(await tokenOf(sub, { org: tenant, role: "org:member" })));
    await queuedBehind(sql, adminPid, 1, signingIn.settled);
    adding.release();
    await adding.done;
    const res = await signingIn.promise;
    expect(res.status === "fulfilled" && res.value.status).toBe(200);
    const rows = await sql`select role from public.memberships where organization_id = ${orgId} and user_id = ${userId}`;
    expect(rows.map((r) => r.role)).toEqual(["member"]);
  });

  it("ownership transferred to the user while their sign-in syncs a changed role: the sign-in succeeds and the organization keeps its owner", async () => {
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const tenant = `org_${randomUUID().slice(0, 12)}`;
    const userId = await signIn(sub, { org: tenant, role: "org:member" });
    const [{ organization_id: orgId }] = await sql`select organization_id from private.organization_links where issuer = ${clerk.issuer} and external_id = ${tenant}`;
    // A platform admin appointed an owner; since the last sign-in the user's role here became viewer.
    const ownerSub = `user_${randomUUID().slice(0, 12)}`;
    const ownerId = await signIn(ownerSub, { org: tenant, role: "org:member" });
    await sql`update public.memberships set role = 'owner' where organization_id = ${orgId} and user_id = ${ownerId}`;
    await sql`update public.memberships set role = 'viewer' where organization_id = ${orgId} and user_id = ${userId}`;
    // The owner hands the organization to the user (transfer_ownership, held before commit)...
    const transferring = heldTransaction(race, async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ iss: clerk.issuer, sub: ownerSub, role: "authenticated" })}, true)`;
      const [{ result }] = await tx`select public.transfer_ownership(${orgId}::uuid, ${userId}::uuid) as result`;
      expect(result.owner_id).toBe(userId);
    });
    const transferPid = await transferring.ready;
    // ...while the user's sign-in brings their IdP role, member.
    const signingIn = track(me(await tokenOf(sub, { org: tenant, role: "org:member" })));
    await queuedBehind(sql, transferPid, 1, signingIn.settled);
    transferring.release();
    await transferring.done;
    const res = await signingIn.promise;
    expect(res.status === "fulfilled" && res.value.status).toBe(200);
    const rows = await sql`select user_id, role from public.memberships where organization_id = ${orgId} order by role`;
    // Sync never demotes the last owner: the user stays owner (audited as membership.sync_skipped).
    expect(rows.map((r) => ({ ...r }))).toEqual([{ user_id: ownerId, role: "admin" }, { user_id: userId, role: "owner" }]);
  });

  it("20 sign-ins at once racing an admin's role change: exactly one membership, and the next sign-in gives the IdP's role", async () => {
    const sub = `user_${randomUUID().slice(0, 12)}`;
    const tenant = `org_${randomUUID().slice(0, 12)}`;
    const userId = await signIn(sub, { org: tenant, role: "org:member" });
    const [{ organization_id: orgId }] = await sql`select organization_id from private.organization_links where issuer = ${clerk.issuer} and external_id = ${tenant}`;
    const token = await tokenOf(sub, { org: tenant, role: "org:admin" });
    const changing = heldTransaction(race, async (tx) => {
      await asAdmin(tx);
      await tx`select public.change_member_role(${orgId}::uuid, ${userId}::uuid, 'viewer')`;
    });
    const adminPid = await changing.ready;
    const signIns = Array.from({ length: 20 }, () => track(me(token)));
    await queuedBehind(sql, adminPid, 1, () => signIns.every((s) => s.settled()));
    changing.release();
    await changing.done;
    const statuses = await Promise.all(signIns.map(async (s) => ((r) => (r.status === "fulfilled" ? r.value.status : 0))(await s.promise)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await me(token)).status).toBe(200);
    const rows = await sql`select role from public.memberships where organization_id = ${orgId} and user_id = ${userId}`;
    expect(rows.map((r) => r.role)).toEqual(["admin"]);
  });
});
