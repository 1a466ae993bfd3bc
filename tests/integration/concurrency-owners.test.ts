// Concurrency suite (issue 14), part 2: an organization keeps at least one owner (SPEC
// F4) whatever removes, demotes or lets its owners leave at the same moment — the RPCs,
// the HTTP API, and the paths that skip the RPCs (an account deleted in Supabase Auth, the
// admin API deleting a third-party user). Each race is forced: the racers queue behind a
// lock this test holds, or their commit-time checks are made to overlap, before the
// invariant is checked in SQL.
//
// The whole suite: concurrency-provisioning (first logins), concurrency-owners (this
// file), concurrency-invitations, concurrency-quotas, concurrency-audit,
// concurrency-role-sync; and the races tested before it: provisioning.test.ts (50 signups,
// 20 repairs of one user), jit-provisioning.test.ts (20 first requests of one identity),
// quotas.test.ts (last project and member slot by insert), audit-log.test.ts (50 chain
// writers), caller-identities-race.test.ts (identity keys and grants vs. changes).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { auth, call, platformUser, sql } from "../helpers/callers.ts";
import { asSupabaseUser, heldTransaction, pidOf, queuedBehind, racePool, tally, track } from "../helpers/races.ts";
import { uniqueEmail } from "../helpers/stack.ts";

const race = racePool(24);
const organizations: string[] = [];
const issuers: string[] = [];
afterAll(async () => {
  await sql`delete from public.organizations where id = any (${organizations})`;
  await sql`delete from public.profiles where identity_provider = any (${issuers})`;
  await sql`delete from private.identity_providers where issuer = any (${issuers})`;
});

interface Owner {
  id: string;
  token: string;
}

/** An organization (not personal) owned by `count` signed-in Supabase Auth users. */
async function organizationOwnedBy(count: number): Promise<{ id: string; owners: Owner[] }> {
  const owners = await Promise.all(
    Array.from({ length: count }, async () => {
      const issued = await auth.tokenFor(uniqueEmail("owner"));
      return { id: issued.user.id, token: issued.accessToken };
    }),
  );
  const id = randomUUID();
  organizations.push(id);
  await sql.begin(async (tx) => {
    await tx`insert into public.organizations (id, slug, name) values (${id}, ${"owners-" + id.slice(0, 8)}, ${"Owners " + id.slice(0, 8)})`;
    for (const o of owners) await tx`insert into public.memberships (organization_id, user_id, role) values (${id}, ${o.id}, 'owner')`;
  });
  return { id, owners };
}

async function ownersOf(organizationId: string): Promise<string[]> {
  const rows = await sql`select user_id from public.memberships where organization_id = ${organizationId} and role = 'owner' order by user_id`;
  return rows.map((r) => r.user_id);
}

/** Holds every membership row of these organizations, so racers that lock owner rows queue behind this session. */
function holdMemberships(organizationIds: string[]) {
  return heldTransaction(race, (tx) => tx`select 1 from public.memberships where organization_id = any (${organizationIds}) for update`);
}

const rpc = (owner: Owner, query: string, ...args: unknown[]) =>
  asSupabaseUser(race, auth.issuer, owner.id, async (tx) => {
    const [{ result }] = await tx.unsafe(`select ${query} as result`, args as never[]);
    return result;
  });

describe("last-owner protection under concurrent RPCs", () => {
  it("two owners demoting each other at once, in 10 organizations: each keeps exactly one owner", async () => {
    const orgs = await Promise.all(Array.from({ length: 10 }, () => organizationOwnedBy(2)));
    const barrier = holdMemberships(orgs.map((o) => o.id));
    const holder = await barrier.ready;
    const racers = orgs.flatMap(({ id, owners: [a, b] }) => [
      track(rpc(a, "public.change_member_role($1::uuid, $2::uuid, 'admin')", id, b.id)),
      track(rpc(b, "public.change_member_role($1::uuid, $2::uuid, 'admin')", id, a.id)),
    ]);
    expect(await queuedBehind(sql, holder, racers.length)).toBe(racers.length);
    barrier.release();
    await barrier.done;
    const results = await Promise.all(racers.map((r) => r.promise));
    for (const [i, { id }] of orgs.entries()) {
      expect(await ownersOf(id)).toHaveLength(1);
      // One demotion per organization; the other is the last owner's (409) or a no-longer-owner's (denied).
      expect(tally(results.slice(2 * i, 2 * i + 2)).ok).toBe(1);
    }
  });

  it("an owner leaving while demoting the other owner, in 10 organizations: exactly one of the two happens", async () => {
    const orgs = await Promise.all(Array.from({ length: 10 }, () => organizationOwnedBy(2)));
    const barrier = holdMemberships(orgs.map((o) => o.id));
    const holder = await barrier.ready;
    const racers = orgs.flatMap(({ id, owners: [a, b] }) => [
      track(rpc(a, "public.leave_organization($1::uuid)", id)),
      track(rpc(a, "public.change_member_role($1::uuid, $2::uuid, 'member')", id, b.id)),
    ]);
    expect(await queuedBehind(sql, holder, racers.length)).toBe(racers.length);
    barrier.release();
    await barrier.done;
    const results = await Promise.all(racers.map((r) => r.promise));
    for (const [i, { id }] of orgs.entries()) {
      expect(await ownersOf(id)).toHaveLength(1);
      expect(tally(results.slice(2 * i, 2 * i + 2)).ok).toBe(1);
    }
  });

  it("8 owners all leaving at once: exactly one stays, as owner, and the 7 others are gone", async () => {
    const { id, owners } = await organizationOwnedBy(8);
    const barrier = holdMemberships([id]);
    const holder = await barrier.ready;
    const racers = owners.map((o) => track(rpc(o, "public.leave_organization($1::uuid)", id)));
    expect(await queuedBehind(sql, holder, racers.length)).toBe(racers.length);
    barrier.release();
    await barrier.done;
    const results = await Promise.all(racers.map((r) => r.promise));
    expect(tally(results)).toEqual({ ok: 7, "55000": 1 });
    const [{ members }] = await sql`select count(*)::int as members from public.memberships where organization_id = ${id}`;
    expect({ owners: (await ownersOf(id)).length, members }).toEqual({ owners: 1, members: 1 });
  });
});

describe("last-owner protection under concurrent HTTP requests", () => {
  it("owners demoting each other (PATCH) and removing each other (DELETE) at once: every organization keeps an owner", async () => {
    const orgs = await Promise.all(Array.from({ length: 4 }, () => organizationOwnedBy(2)));
    const barrier = holdMemberships(orgs.map((o) => o.id));
    const holder = await barrier.ready;
    const requests = orgs.flatMap(({ id, owners: [a, b] }, i) => [
      track(i % 2 === 0
        ? call(`admin/orgs/${id}/members/${b.id}`, a.token, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "member" }) })
        : call(`admin/orgs/${id}/members/${b.id}`, a.token, { method: "DELETE" })),
      track(call(`admin/orgs/${id}/members/${a.id}`, b.token, { method: "DELETE" })),
    ]);
    // The functions' pools may hold back some requests; at least a few must be queued on the rows.
    expect(await queuedBehind(sql, holder, 4)).toBeGreaterThanOrEqual(4);
    barrier.release();
    await barrier.done;
    const statuses = await Promise.all(requests.map(async (r) => {
      const settled = await r.promise;
      return settled.status === "fulfilled" ? settled.value.status : 0;
    }));
    for (const [i, { id }] of orgs.entries()) {
      expect(await ownersOf(id)).toHaveLength(1);
      expect(statuses.slice(2 * i, 2 * i + 2).filter((s) => s === 200)).toHaveLength(1);
    }
    expect(statuses.every((s) => [200, 403, 409].includes(s))).toBe(true);
  });

  it("two owners leaving at once (DELETE /me/organizations/{id}) in 4 organizations: one leaves, the other gets 409", async () => {
    const orgs = await Promise.all(Array.from({ length: 4 }, () => organizationOwnedBy(2)));
    const barrier = holdMemberships(orgs.map((o) => o.id));
    const holder = await barrier.ready;
    const requests = orgs.flatMap(({ id, owners }) => owners.map((o) => track(call(`me/organizations/${id}`, o.token, { method: "DELETE" }))));
    expect(await queuedBehind(sql, holder, 4)).toBeGreaterThanOrEqual(4);
    barrier.release();
    await barrier.done;
    const statuses = await Promise.all(requests.map(async (r) => {
      const settled = await r.promise;
      return settled.status === "fulfilled" ? settled.value.status : 0;
    }));
    for (const [i, { id }] of orgs.entries()) {
      expect(await ownersOf(id)).toHaveLength(1);
      expect(statuses.slice(2 * i, 2 * i + 2).sort()).toEqual([200, 409]);
    }
  });
});

describe("last-owner protection on paths that skip the RPCs", () => {
  it("two co-owners' Supabase Auth accounts deleted at once: the second deletion fails and the organization keeps an owner", async () => {
    // Deleting an auth user cascades to the profile and its memberships; only the
    // commit-time owner check guards that path. Both checks are run before either
    // transaction commits (SET CONSTRAINTS ... IMMEDIATE), the overlap two concurrent
    // commits have.
    const { id, owners: [a, b] } = await organizationOwnedBy(2);
    const first = await race.reserve();
    try {
      await first`begin`;
      await first`delete from auth.users where id = ${a.id}`;
      await first`set constraints all immediate`;
      const second = track(race.begin(async (tx) => {
        await tx`delete from auth.users where id = ${b.id}`;
        await tx`set constraints all immediate`;
      }));
      await queuedBehind(sql, await pidOf(first), 1, second.settled);
      await first`commit`;
      const result = await second.promise;
      expect(result.status === "rejected" ? (result.reason as { code: string }).code : "committed").toBe("55000");
    } finally {
      await first`rollback`.catch(() => {});
      first.release();
    }
    expect(await ownersOf(id)).toEqual([b.id]);
  });

  it.each([
    ["removing", "delete from public.memberships where organization_id = $1 and user_id = $2"],
    ["demoting", "update public.memberships set role = 'member' where organization_id = $1 and user_id = $2"],
  ])("an application backend (service_role) %s both owners in two transactions at once: the second fails, an owner stays", async (_label, statement) => {
    // service_role may write memberships directly (an application's server with the
    // secret key), so nothing locks the owner rows first: only the owner check at commit
    // stands. SET CONSTRAINTS ... IMMEDIATE runs each transaction's check before either
    // commits, the overlap of two concurrent commits.
    const { id, owners: [a, b] } = await organizationOwnedBy(2);
    const asBackend = (tx: import("../../functions/_shared/db.ts").Tx) => tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
    const first = heldTransaction(race, async (tx) => {
      await asBackend(tx);
      await tx.unsafe(statement, [id, a.id]);
      await tx`set constraints all immediate`;
    });
    const firstPid = await first.ready;
    const second = track(race.begin(async (tx) => {
      await asBackend(tx as never);
      await tx.unsafe(statement, [id, b.id]);
      await tx`set constraints all immediate`;
    }));
    await queuedBehind(sql, firstPid, 1, second.settled);
    first.release();
    await first.done;
    const result = await second.promise;
    expect(result.status === "rejected" ? (result.reason as { code: string }).code : "committed").toBe("55000");
    expect(await ownersOf(id)).toEqual([b.id]);
  });

  it("an owner removed in a REPEATABLE READ transaction is refused (its snapshot cannot see a concurrent removal)", async () => {
    const { id, owners: [a] } = await organizationOwnedBy(2);
    await expect(race.begin("isolation level repeatable read", (tx) => tx`delete from public.memberships where organization_id = ${id} and user_id = ${a.id}`))
      .rejects.toMatchObject({ code: "25000" });
    expect(await ownersOf(id)).toHaveLength(2);
  });

  it("two admins deleting an organization's two third-party owners at once (DELETE /admin/users/{id}): one gets 409, an owner stays", async () => {
    const issuer = `https://owners-${randomUUID().slice(0, 8)}.concurrency.test`;
    issuers.push(issuer);
    await sql`insert into private.identity_providers (issuer, name, kind, jwks_url) values (${issuer}, 'Owners IdP', 'clerk', ${issuer + "/jwks"})`;
    const owners = await sql`
      insert into public.profiles (identity_provider, identity_sub, email)
      select ${issuer}, 'user_' || n, 'owner-' || n || '-' || ${randomUUID().slice(0, 8)} || '@owners.test' from generate_series(1, 2) n
      returning id`;
    const orgId = randomUUID();
    organizations.push(orgId);
    await sql.begin(async (tx) => {
      await tx`insert into public.organizations (id, slug, name) values (${orgId}, ${"tp-owners-" + orgId.slice(0, 8)}, ${"TP owners " + orgId.slice(0, 8)})`;
      for (const o of owners) await tx`insert into public.memberships (organization_id, user_id, role) values (${orgId}, ${o.id}, 'owner')`;
    });
    const [alice, bob] = await Promise.all([platformUser("admin"), platformUser("admin")]);
    // Audited transactions seal their events at commit under the chain head's lock: holding
    // it keeps both deletions from committing until each has passed its own checks.
    const chain = heldTransaction(race, (tx) => tx`select 1 from private.audit_chain for update`);
    const holder = await chain.ready;
    const requests = [
      track(call(`admin/users/${owners[0].id}`, alice.token, { method: "DELETE" })),
      track(call(`admin/users/${owners[1].id}`, bob.token, { method: "DELETE" })),
    ];
    await queuedBehind(sql, holder, 2, () => requests.every((r) => r.settled()));
    chain.release();
    await chain.done;
    const statuses = await Promise.all(requests.map(async (r) => {
      const settled = await r.promise;
      return settled.status === "fulfilled" ? settled.value.status : 0;
    }));
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await ownersOf(orgId)).toHaveLength(1);
  });
});
