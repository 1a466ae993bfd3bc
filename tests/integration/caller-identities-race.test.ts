// Who a token names and what they hold are precomputed (private.caller_identities and
// private.caller_grants, migrations 20261203000700 and 900). Concurrent changes of both
// must never leave a key or a grant that the tables they follow no longer give, whichever
// transaction takes its lock first.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/stack.ts";

const sql = connect();
const issuers: string[] = [];
const organizations: string[] = [];
afterAll(async () => {
  await sql`delete from public.organizations where id = any (${organizations})`;
  await sql`delete from public.profiles where identity_provider = any (${issuers})`;
  await sql`delete from private.identity_providers where issuer = any (${issuers})`;
});

async function newProvider(): Promise<string> {
  const issuer = `https://race-${randomUUID().slice(0, 8)}.identities.test`;
  issuers.push(issuer);
  await sql`insert into private.identity_providers (issuer, name, kind, jwks_url) values (${issuer}, 'Race IdP', 'clerk', ${issuer + "/jwks"})`;
  return issuer;
}

async function backendPid(conn: postgres.ReservedSql): Promise<number> {
  const [{ pid }] = await conn`select pg_backend_pid() as pid`;
  return Number(pid);
}

/** Resolves once that backend waits for a lock, or after a second (it may not need to). */
async function blockedOrDone(pid: number, statement: Promise<unknown>): Promise<void> {
  let done = false;
  void statement.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 100 && !done; i++) {
    const [row] = await sql`select wait_event_type from pg_stat_activity where pid = ${pid}`;
    if (row?.wait_event_type === "Lock") return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function end(...connections: postgres.ReservedSql[]): Promise<void> {
  for (const c of connections) {
    await c`rollback`.catch(() => {});
    c.release();
  }
}

/** A provider's user, a viewer of an organization another user owns. */
async function userWithOrganization(): Promise<{ userId: string; organizationId: string }> {
  const issuer = await newProvider();
  const [userId, ownerId, organizationId] = [randomUUID(), randomUUID(), randomUUID()];
  await sql`
    insert into public.profiles (id, identity_provider, identity_sub, email)
    values (${userId}, ${issuer}, 'user|viewer', ${`viewer-${userId.slice(0, 8)}@identities.test`}),
           (${ownerId}, ${issuer}, 'user|owner', ${`owner-${ownerId.slice(0, 8)}@identities.test`})`;
  organizations.push(organizationId);
  await sql.begin(async (tx) => {
    await tx`insert into public.organizations (id, slug, name) values (${organizationId}, ${"race-" + organizationId.slice(0, 8)}, ${"Race " + organizationId.slice(0, 8)})`;
    await tx`insert into public.memberships (organization_id, user_id, role) values (${organizationId}, ${userId}, 'viewer'), (${organizationId}, ${ownerId}, 'owner')`;
  });
  return { userId, organizationId };
}

/** The organizations caller_grants gives the user for a permission, over all their keys. */
async function grantedOrganizations(profileId: string, permission = "data:read"): Promise<string[]> {
  const rows = await sql`select unnest(organization_ids) as id from private.caller_grants where profile_id = ${profileId} and permission = ${permission}`;
  return rows.map((r) => r.id);
}

async function keysOf(profileId: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from private.caller_identities where profile_id = ${profileId}`;
  return row.n;
}

describe("principle 8: who a token names stays right under concurrent changes", () => {
  it("a profile created while its provider is being disabled gets no key (the disabling commits first)", async () => {
    const issuer = await newProvider();
    const admin = await sql.reserve();
    const signup = await sql.reserve();
    try {
      await admin`begin`;
      await admin`update private.identity_providers set enabled = false where issuer = ${issuer}`;
      const signupPid = await backendPid(signup);
      await signup`begin`;
      const profileId = randomUUID();
      const inserting = signup`
        insert into public.profiles (id, identity_provider, identity_sub, email)
        values (${profileId}, ${issuer}, 'user|race', ${`race-${profileId.slice(0, 8)}@identities.test`})`.execute();
      await blockedOrDone(signupPid, inserting);
      await admin`commit`;
      await inserting;
      await signup`commit`;
      expect(await keysOf(profileId)).toBe(0);
    } finally {
      await end(admin, signup);
    }
  });

  it("a provider disabled while one of its profiles is being created removes that profile's key (the profile commits first)", async () => {
    const issuer = await newProvider();
    const admin = await sql.reserve();
    const signup = await sql.reserve();
    try {
      await signup`begin`;
      const profileId = randomUUID();
      await signup`
        insert into public.profiles (id, identity_provider, identity_sub, email)
        values (${profileId}, ${issuer}, 'user|race', ${`race-${profileId.slice(0, 8)}@identities.test`})`;
      const adminPid = await backendPid(admin);
      await admin`begin`;
      const disabling = admin`update private.identity_providers set enabled = false where issuer = ${issuer}`.execute();
      await blockedOrDone(adminPid, disabling);
      await signup`commit`;
      await disabling;
      await admin`commit`;
      expect(await keysOf(profileId)).toBe(0);
      await sql`update private.identity_providers set enabled = true where issuer = ${issuer}`;
      expect(await keysOf(profileId)).toBe(1);
    } finally {
      await end(admin, signup);
    }
  });

  it("a membership added while its user is being disabled leaves no grant (the disabling commits first)", async () => {
    const { userId } = await userWithOrganization();
    const second = await userWithOrganization();
    const admin = await sql.reserve();
    const member = await sql.reserve();
    try {
      await admin`begin`;
      await admin`update public.profiles set disabled_at = now() where id = ${userId}`;
      const memberPid = await backendPid(member);
      await member`begin`;
      const adding = member`insert into public.memberships (organization_id, user_id, role) values (${second.organizationId}, ${userId}, 'member')`.execute();
      await blockedOrDone(memberPid, adding);
      await admin`commit`;
      await adding;
      await member`commit`;
      expect(await grantedOrganizations(userId, "data:write")).toEqual([]);
    } finally {
      await end(admin, member);
    }
  });

  it("a user disabled while a membership is being added keeps no grant (the membership commits first)", async () => {
    const { userId } = await userWithOrganization();
    const second = await userWithOrganization();
    const admin = await sql.reserve();
    const member = await sql.reserve();
    try {
      await member`begin`;
      await member`insert into public.memberships (organization_id, user_id, role) values (${second.organizationId}, ${userId}, 'member')`;
      const adminPid = await backendPid(admin);
      await admin`begin`;
      const disabling = admin`update public.profiles set disabled_at = now() where id = ${userId}`.execute();
      await blockedOrDone(adminPid, disabling);
      await member`commit`;
      await disabling;
      await admin`commit`;
      expect(await grantedOrganizations(userId, "data:write")).toEqual([]);
    } finally {
      await end(admin, member);
    }
  });

  it("a membership removed while its user is being enabled again is not granted back (either order)", async () => {
    for (const removalFirst of [true, false]) {
      const { userId, organizationId } = await userWithOrganization();
      await sql`update public.profiles set disabled_at = now() where id = ${userId}`;
      const admin = await sql.reserve();
      const member = await sql.reserve();
      try {
        const remove = () => member`delete from public.memberships where organization_id = ${organizationId} and user_id = ${userId}`;
        const enable = () => admin`update public.profiles set disabled_at = null where id = ${userId}`;
        const [first, second, secondPid] = removalFirst
          ? [member, admin, await backendPid(admin)]
          : [admin, member, await backendPid(member)];
        await first`begin`;
        await (removalFirst ? remove() : enable());
        await second`begin`;
        const waiting = (removalFirst ? enable() : remove()).execute();
        await blockedOrDone(secondPid, waiting);
        await first`commit`;
        await waiting;
        await second`commit`;
        expect(await grantedOrganizations(userId)).not.toContain(organizationId);
        expect(await keysOf(userId)).toBe(1);
      } finally {
        await end(admin, member);
      }
    }
  });

  it("an identity change under REPEATABLE READ is refused (its snapshot could miss a concurrent grant change)", async () => {
    const { userId } = await userWithOrganization();
    const conn = await sql.reserve();
    try {
      await conn`begin isolation level repeatable read`;
      await expect(conn`update public.profiles set disabled_at = now() where id = ${userId}`).rejects.toMatchObject({ code: "25000" });
    } finally {
      await end(conn);
    }
  });

  it("a REPEATABLE READ membership change that overlaps a user being disabled fails to serialize rather than grant", async () => {
    const { userId } = await userWithOrganization();
    const second = await userWithOrganization();
    const member = await sql.reserve();
    try {
      await member`begin isolation level repeatable read`;
      await member`select 1`; // the snapshot
      await sql`update public.profiles set disabled_at = now() where id = ${userId}`;
      await expect(
        member`insert into public.memberships (organization_id, user_id, role) values (${second.organizationId}, ${userId}, 'member')`,
      ).rejects.toMatchObject({ code: "40001" });
      expect(await grantedOrganizations(userId, "data:write")).toEqual([]);
    } finally {
      await end(member);
    }
  });

  it("a change of the role matrix under SERIALIZABLE is refused (its snapshot could miss a READ COMMITTED sign-up's grants)", async () => {
    const conn = await sql.reserve();
    try {
      await conn`begin isolation level serializable`;
      await expect(
        conn`delete from public.role_permissions where scope = 'org' and role = 'viewer' and permission = 'members:read'`,
      ).rejects.toMatchObject({ code: "25000" });
    } finally {
      await end(conn);
    }
  });

  it("an identity change under SERIALIZABLE is refused too", async () => {
    const { userId } = await userWithOrganization();
    const conn = await sql.reserve();
    try {
      await conn`begin isolation level serializable`;
      await expect(conn`update public.profiles set disabled_at = now() where id = ${userId}`).rejects.toMatchObject({ code: "25000" });
    } finally {
      await end(conn);
    }
  });

  it("a statement that changes no grant, and a provider edit that names the same users, take no lock an identity change waits for", async () => {
    const { userId } = await userWithOrganization();
    const issuer = await newProvider();
    const request = await sql.reserve();
    const admin = await sql.reserve();
    try {
      // What every third-party request's role sync does: a statement that matches nothing.
      await request`begin`;
      await request`delete from public.platform_role_assignments where user_id = ${randomUUID()}`;
      await request`update private.identity_providers set name = 'Renamed' where issuer = ${issuer}`;
      await admin`begin`;
      await admin`set local lock_timeout = '2s'`;
      await admin`update public.profiles set disabled_at = now() where id = ${userId}`;
      await admin`commit`;
      expect(await keysOf(userId)).toBe(0);
    } finally {
      await end(request, admin);
    }
  });
});
