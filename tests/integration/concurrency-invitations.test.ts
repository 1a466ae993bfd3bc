// Concurrency suite (issue 14), part 3: invitations are single-use and race-safe to
// accept (SPEC F4). Many sessions of the invitee accept one invitation at once; two
// admins invite the same address at once; an acceptance races a revocation and an
// admin adding the same user directly. Racers queue behind a lock this test holds on the
// invitation (or organization) before the outcome is checked in SQL.
// (The rest of the suite: see the header of concurrency-owners.test.ts.)
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { auth, call, platformUser, sql } from "../helpers/callers.ts";
import { asSupabaseUser, heldTransaction, queuedBehind, racePool, track } from "../helpers/races.ts";
import { uniqueEmail } from "../helpers/stack.ts";

const race = racePool(8);
const organizations: string[] = [];
afterAll(async () => {
  await sql`delete from public.organizations where id = any (${organizations})`;
});

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** An organization with an owner, an invitation for a new signed-in user, and its token. */
async function invited() {
  const owner = await auth.tokenFor(uniqueEmail("inviter"));
  const invitee = await auth.tokenFor(uniqueEmail("invitee"));
  const orgId = randomUUID();
  organizations.push(orgId);
  await sql.begin(async (tx) => {
    await tx`insert into public.organizations (id, slug, name) values (${orgId}, ${"inv-" + orgId.slice(0, 8)}, ${"Invitations " + orgId.slice(0, 8)})`;
    await tx`insert into public.memberships (organization_id, user_id, role) values (${orgId}, ${owner.user.id}, 'owner')`;
  });
  const invitation = await asSupabaseUser(race, auth.issuer, owner.user.id, async (tx) => {
    const [{ result }] = await tx`select public.create_invitation(${orgId}::uuid, ${invitee.user.email!}, 'member') as result`;
    return result as { id: string; token: string };
  });
  return { orgId, owner: { id: owner.user.id, token: owner.accessToken }, invitee: { id: invitee.user.id, email: invitee.user.email!, token: invitee.accessToken }, invitation };
}

const holdInvitation = (id: string) => heldTransaction(race, (tx) => tx`select 1 from public.invitations where id = ${id} for update`);

async function statusesOf(requests: ReturnType<typeof track<Response>>[]): Promise<number[]> {
  return Promise.all(requests.map(async (r) => {
    const settled = await r.promise;
    return settled.status === "fulfilled" ? settled.value.status : 0;
  }));
}

async function membersOf(orgId: string, userId: string): Promise<number> {
  const [{ n }] = await sql`select count(*)::int as n from public.memberships where organization_id = ${orgId} and user_id = ${userId}`;
  return n;
}

describe("invitation acceptance races", () => {
  it("one invitation accepted by 15 sessions of the invitee at once: one joins, 14 are refused, used once", async () => {
    const { orgId, invitee, invitation } = await invited();
    const barrier = holdInvitation(invitation.id);
    const holder = await barrier.ready;
    const accepts = Array.from({ length: 15 }, () => track(call("me/invitations/accept", invitee.token, json("POST", { token: invitation.token }))));
    expect(await queuedBehind(sql, holder, 4)).toBeGreaterThanOrEqual(4);
    barrier.release();
    await barrier.done;
    const statuses = await statusesOf(accepts);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The others find it used: the refusal for a used invitation, not a duplicate-member conflict.
    expect(statuses.filter((s) => s === 403)).toHaveLength(14);
    expect(await membersOf(orgId, invitee.id)).toBe(1);
    const [row] = await sql`
      select i.accepted_by, (select count(*)::int from public.audit_events e
                             where e.action = 'invitation.accept' and e.target_id = i.id::text and e.outcome = 'success') as accepted_events
      from public.invitations i where i.id = ${invitation.id}`;
    expect(row).toEqual({ accepted_by: invitee.id, accepted_events: 1 });
  });

  it("an acceptance racing the invitation's revocation: accepted and a member, or revoked and not, never both", async () => {
    for (let round = 0; round < 3; round++) {
      const { orgId, owner, invitee, invitation } = await invited();
      const barrier = holdInvitation(invitation.id);
      const holder = await barrier.ready;
      const racers = [
        track(call("me/invitations/accept", invitee.token, json("POST", { token: invitation.token }))),
        track(call(`admin/orgs/${orgId}/invitations/${invitation.id}`, owner.token, { method: "DELETE" })),
      ];
      expect(await queuedBehind(sql, holder, 2)).toBe(2);
      barrier.release();
      await barrier.done;
      await statusesOf(racers);
      const [row] = await sql`select accepted_at is not null as accepted, revoked_at is not null as revoked from public.invitations where id = ${invitation.id}`;
      expect(row.accepted !== row.revoked).toBe(true);
      expect(await membersOf(orgId, invitee.id)).toBe(row.accepted ? 1 : 0);
    }
  });

  it("two admins inviting the same address to one organization at once: one pending invitation, the other gets 409", async () => {
    const { orgId, owner } = await invited();
    const admin = await platformUser("admin");
    const email = uniqueEmail("twice");
    // Both insert the same pending (organization, email): the second waits for the first's
    // uncommitted row, held here by holding the organization both must lock-share.
    const barrier = heldTransaction(race, (tx) => tx`select 1 from public.organizations where id = ${orgId} for update`);
    const holder = await barrier.ready;
    const invites = [owner.token, admin.token].map((t) => track(call(`admin/orgs/${orgId}/invitations`, t, json("POST", { email, role: "member" }))));
    await queuedBehind(sql, holder, 2, () => invites.every((i) => i.settled()));
    barrier.release();
    await barrier.done;
    expect((await statusesOf(invites)).sort()).toEqual([201, 409]);
    const [{ n }] = await sql`select count(*)::int as n from public.invitations where organization_id = ${orgId} and lower(email) = ${email} and accepted_at is null and revoked_at is null`;
    expect(n).toBe(1);
  });

  it("an invitee accepting while an admin adds them directly: one membership", async () => {
    const { orgId, invitee, invitation } = await invited();
    const admin = await platformUser("admin");
    const adding = heldTransaction(race, async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ sub: admin.id, role: "authenticated", aud: "authenticated", iss: auth.issuer })}, true)`;
      await tx`select tenantry_request.pre_request()`;
      await tx`select public.add_member(${orgId}::uuid, ${invitee.id}::uuid, null, 'viewer')`;
    });
    const adminPid = await adding.ready;
    const accepting = track(call("me/invitations/accept", invitee.token, json("POST", { token: invitation.token })));
    expect(await queuedBehind(sql, adminPid, 1, accepting.settled)).toBe(1);
    adding.release();
    await adding.done;
    const [status] = await statusesOf([accepting]);
    // Already a member: the acceptance is a conflict and leaves the invitation unused.
    expect(status).toBe(409);
    expect(await membersOf(orgId, invitee.id)).toBe(1);
    const [row] = await sql`select accepted_at from public.invitations where id = ${invitation.id}`;
    expect(row.accepted_at).toBeNull();
  });
});
