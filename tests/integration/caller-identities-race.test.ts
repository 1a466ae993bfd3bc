// Who a token names is precomputed (private.caller_identities, migration
// 20261203000700). A profile created while its provider is being disabled must not keep
// a key the provider no longer grants, whichever transaction takes its lock first.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/stack.ts";

const sql = connect();
const issuers: string[] = [];
afterAll(async () => {
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
});
