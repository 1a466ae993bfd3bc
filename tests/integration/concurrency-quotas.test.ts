// Concurrency suite (issue 14), part 4: quotas are never exceeded (SPEC F11), for every
// limited resource — members_per_org, projects_per_org, orgs_per_user, tokens_per_user
// (supabase/migrations/*quota*, the plan catalog) — and every path that makes a row
// count: inserts, moves into the organization or to the user (UPDATE), a revoked or
// expired token made active again, an organization starting to count for its creator,
// an invitation accepted. quotas.test.ts already races 20 inserts for the last project
// and member slot; here every racer queues behind this test's lock on the parent row
// (the row enforce_quota locks) before the count is checked in SQL.
// (The rest of the suite: see the header of concurrency-owners.test.ts.)
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { auth, call, platformUser, sql } from "../helpers/callers.ts";
import { asSupabaseUser, heldTransaction, queuedBehind, racePool, tally, track } from "../helpers/races.ts";
import { uniqueEmail } from "../helpers/stack.ts";

const race = racePool(24);
const plans: string[] = [];
const organizations: string[] = [];
const issuer = `https://quota-${randomUUID().slice(0, 8)}.concurrency.test`;
afterAll(async () => {
  // Organizations first, the ones this test's users created included: each keeps its owner otherwise.
  await sql`delete from public.organizations where id = any (${organizations}) or plan = any (${plans})
            or created_by in (select id from public.profiles where identity_provider = ${issuer} or plan = any (${plans}))`;
  await sql`delete from public.profiles where identity_provider = ${issuer} or plan = any (${plans})`;
  await sql`delete from public.plan_limits where plan = any (${plans})`;
});

/** A plan of this test's own with one limit. */
async function planWith(limit: string, max: number): Promise<string> {
  const plan = `race${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  plans.push(plan);
  await sql`insert into public.plan_limits (plan, limit_name, max_value) values (${plan}, ${limit}, ${max})`;
  return plan;
}

async function organization(plan: string | null = null): Promise<string> {
  const id = randomUUID();
  organizations.push(id);
  await sql`insert into public.organizations (id, slug, name, plan) values (${id}, ${"q-" + id.slice(0, 12)}, ${"Quota " + id.slice(0, 12)}, ${plan ?? "free"})`;
  return id;
}

async function profiles(n: number, plan: string | null = null): Promise<string[]> {
  const rows = await sql`
    insert into public.profiles (identity_provider, identity_sub, plan)
    select ${issuer}, ${randomUUID()} || '-' || n, ${plan ?? "free"} from generate_series(1, ${n}) n returning id`;
  return rows.map((r) => r.id);
}

/**
 * `racers` statements, each in its own transaction on its own connection, started while
 * this test holds the parent row enforce_quota locks, released once all of them wait.
 */
async function raceBehind(parent: { table: "organizations" | "profiles"; id: string }, racers: ((tx: postgres.TransactionSql) => Promise<unknown>)[], queued = racers.length) {
  const barrier = heldTransaction(race, (tx) => tx.unsafe(`select 1 from public.${parent.table} where id = $1 for no key update`, [parent.id]));
  const holder = await barrier.ready;
  const running = racers.map((r) => track(race.begin(r)));
  let waited = 0;
  try {
    waited = await queuedBehind(sql, holder, queued, () => running.every((r) => r.settled()));
  } finally {
    barrier.release();
    await barrier.done;
  }
  // The outcome is checked before the overlap: a missing lock shows as a broken limit.
  return { outcome: tally(await Promise.all(running.map((r) => r.promise))), overlapped: waited >= queued };
}

const count = async (query: postgres.PendingQuery<postgres.Row[]>) => (await query)[0].n as number;

describe("members_per_org", () => {
  it("15 memberships moved into an organization with one free member slot: one moves", async () => {
    const plan = await planWith("members_per_org", 2);
    const target = await organization(plan);
    const [existing] = await profiles(1);
    await sql`insert into public.memberships (organization_id, user_id, role) values (${target}, ${existing}, 'member')`;
    const users = await profiles(15);
    const sources = await Promise.all(users.map(() => organization()));
    for (const [i, u] of users.entries()) await sql`insert into public.memberships (organization_id, user_id, role) values (${sources[i]}, ${u}, 'member')`;
    const { outcome, overlapped } = await raceBehind({ table: "organizations", id: target }, users.map((u, i) => (tx) =>
      tx`update public.memberships set organization_id = ${target} where organization_id = ${sources[i]} and user_id = ${u}`));
    expect(outcome).toEqual({ ok: 1, PT403: 14 });
    expect(overlapped).toBe(true);
    expect(await count(sql`select count(*)::int as n from public.memberships where organization_id = ${target}`)).toBe(2);
  });

  it("an invitation accepted while an admin adds another member, for the last slot: one joins", async () => {
    const plan = await planWith("members_per_org", 2);
    const owner = await auth.tokenFor(uniqueEmail("quota-owner"));
    const invitee = await auth.tokenFor(uniqueEmail("quota-invitee"));
    const other = await auth.tokenFor(uniqueEmail("quota-other"));
    const admin = await platformUser("admin");
    const orgId = await organization();
    await sql`insert into public.memberships (organization_id, user_id, role) values (${orgId}, ${owner.user.id}, 'owner')`;
    const invitation = await asSupabaseUser(race, auth.issuer, owner.user.id, async (tx) =>
      (await tx`select public.create_invitation(${orgId}::uuid, ${invitee.user.email!}, 'member') as result`)[0].result);
    await sql`update public.organizations set plan = ${plan} where id = ${orgId}`;
    const barrier = heldTransaction(race, (tx) => tx`select 1 from public.organizations where id = ${orgId} for no key update`);
    const holder = await barrier.ready;
    const requests = [
      track(call("me/invitations/accept", invitee.accessToken, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: invitation.token }) })),
      track(call(`admin/orgs/${orgId}/members`, admin.token, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user_id: other.user.id, role: "member" }) })),
    ];
    const waited = await queuedBehind(sql, holder, 2, () => requests.every((r) => r.settled()));
    barrier.release();
    await barrier.done;
    const answers = await Promise.all(requests.map(async (r) => {
      const settled = await r.promise;
      if (settled.status === "rejected") return "failed";
      return settled.value.ok ? "ok" : `${settled.value.status} ${(await settled.value.json()).error.code}`;
    }));
    expect(answers.sort()).toEqual(["403 quota_exceeded", "ok"]);
    expect(await count(sql`select count(*)::int as n from public.memberships where organization_id = ${orgId}`)).toBe(2);
    expect(waited).toBe(2);
  });
});

describe("projects_per_org", () => {
  it("10 inserts and 10 moves at once for an organization's last project slot: exactly one lands", async () => {
    const plan = await planWith("projects_per_org", 1);
    const target = await organization(plan);
    const elsewhere = await organization();
    const moving = await sql`insert into public.projects (organization_id, name) select ${elsewhere}, 'p' || n from generate_series(1, 10) n returning id`;
    const { outcome, overlapped } = await raceBehind({ table: "organizations", id: target }, [
      ...Array.from({ length: 10 }, (_, i) => (tx: postgres.TransactionSql) => tx`insert into public.projects (organization_id, name) values (${target}, ${`new ${i}`})`),
      ...moving.map((p) => (tx: postgres.TransactionSql) => tx`update public.projects set organization_id = ${target} where id = ${p.id}`),
    ]);
    expect(outcome).toEqual({ ok: 1, PT403: 19 });
    expect(overlapped).toBe(true);
    expect(await count(sql`select count(*)::int as n from public.projects where organization_id = ${target}`)).toBe(1);
  });
});

/**
 * 12 POSTs of one user at once over HTTP, started while this test holds the user's
 * profile row (the row enforce_quota locks for a per-user limit), released once at least
 * 4 wait behind it: each answer's status (0 for a failed fetch) and how many waited.
 */
async function postsBehindProfile(userId: string, token: string, path: string, body: (i: number) => unknown) {
  const barrier = heldTransaction(race, (tx) => tx`select 1 from public.profiles where id = ${userId} for no key update`);
  const holder = await barrier.ready;
  const requests = Array.from({ length: 12 }, (_, i) => track(call(path, token, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body(i)),
  })));
  const waited = await queuedBehind(sql, holder, 4, () => requests.every((r) => r.settled()));
  barrier.release();
  await barrier.done;
  const statuses = await Promise.all(requests.map(async (r) => ((s) => (s.status === "fulfilled" ? s.value.status : 0))(await r.promise)));
  return { statuses, waited };
}

describe("orgs_per_user", () => {
  it("12 organizations created at once over HTTP by a user with one slot left: one is created", async () => {
    const plan = await planWith("orgs_per_user", 1);
    const user = await auth.tokenFor(uniqueEmail("quota-creator"));
    await sql`update public.profiles set plan = ${plan} where id = ${user.user.id}`;
    const { statuses, waited } = await postsBehindProfile(user.user.id, user.accessToken, "me/organizations", (i) => ({ name: `Racing ${randomUUID().slice(0, 8)} ${i}` }));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(11);
    expect(await count(sql`select count(*)::int as n from public.organizations where created_by = ${user.user.id} and not is_personal and not is_default`)).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(4);
  });

  it("10 organizations handed to a creator (created_by) or made non-personal at once, one slot left: one starts counting", async () => {
    const plan = await planWith("orgs_per_user", 1);
    const [creator] = await profiles(1, plan);
    const handed = await Promise.all(Array.from({ length: 9 }, () => organization()));
    // A user has one personal organization: it starts counting when it stops being personal.
    const personal = [await organization()];
    await sql`update public.organizations set is_personal = true, created_by = ${creator} where id = ${personal[0]}`;
    const { outcome, overlapped } = await raceBehind({ table: "profiles", id: creator }, [
      ...handed.map((id) => (tx: postgres.TransactionSql) => tx`update public.organizations set created_by = ${creator} where id = ${id}`),
      ...personal.map((id) => (tx: postgres.TransactionSql) => tx`update public.organizations set is_personal = false where id = ${id}`),
    ]);
    expect(outcome).toEqual({ ok: 1, PT403: 9 });
    expect(overlapped).toBe(true);
    expect(await count(sql`select count(*)::int as n from public.organizations where created_by = ${creator} and not is_personal and not is_default`)).toBe(1);
  });
});

describe("tokens_per_user", () => {
  it("12 tokens created at once over HTTP with one slot left: one is created", async () => {
    const user = await auth.tokenFor(uniqueEmail("quota-tokens"));
    const plan = await planWith("tokens_per_user", 1);
    await sql`update public.profiles set plan = ${plan} where id = ${user.user.id}`;
    const { statuses, waited } = await postsBehindProfile(user.user.id, user.accessToken, "me/tokens", (i) => ({ name: `race ${i}`, scopes: ["org:read"], expires_in_days: 1 }));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(11);
    expect(await count(sql`select count(*)::int as n from public.personal_access_tokens where user_id = ${user.user.id} and revoked_at is null and expires_at > now()`)).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(4);
  });

  it("revoked tokens re-activated, expired ones extended and others' tokens handed over at once, one slot left: one becomes active", async () => {
    const plan = await planWith("tokens_per_user", 1);
    const [user, other] = await profiles(2);
    await sql`update public.profiles set plan = ${plan} where id = ${user}`;
    const token = (owner: string, state: "revoked" | "expired" | "active", i: number) => sql`
      insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at, revoked_at)
      values (${owner}, ${`${state} ${i}`}, ${"tnt_pat_" + randomUUID().slice(0, 8)}, ${Buffer.from(randomUUID())}, '{profile:read}',
              ${state === "expired" ? sql`now() - interval '1 day'` : sql`now() + interval '1 day'`}, ${state === "revoked" ? sql`now()` : null})
      returning id`;
    const revoked = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await token(user, "revoked", i))[0].id));
    const expired = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await token(user, "expired", i))[0].id));
    const others = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await token(other, "active", i))[0].id));
    const { outcome, overlapped } = await raceBehind({ table: "profiles", id: user }, [
      ...revoked.map((id) => (tx: postgres.TransactionSql) => tx`update public.personal_access_tokens set revoked_at = null where id = ${id}`),
      ...expired.map((id) => (tx: postgres.TransactionSql) => tx`update public.personal_access_tokens set expires_at = now() + interval '1 day' where id = ${id}`),
      ...others.map((id) => (tx: postgres.TransactionSql) => tx`update public.personal_access_tokens set user_id = ${user} where id = ${id}`),
    ]);
    expect(outcome).toEqual({ ok: 1, PT403: 14 });
    expect(overlapped).toBe(true);
    expect(await count(sql`select count(*)::int as n from public.personal_access_tokens where user_id = ${user} and revoked_at is null and expires_at > now()`)).toBe(1);
  });
});
