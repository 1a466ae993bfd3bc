// Audited writes under concurrency (issue 13): signups and membership changes per second
// at 1 and 8 clients. Each write is its own transaction that also holds 5 ms of other
// work before committing, as a real one does (GoTrue's signup transaction writes
// sessions, identities and more; a PostgREST request runs its pre-request and response
// work): a lock held to commit then shows as a rate that stops growing with clients.
// With 8 clients the rate can reach 8 × the 1-client rate on any machine, since the held
// time is a sleep, not CPU.
import postgres from "postgres";
import { percentile, round } from "./stats.ts";
import { distrustAuthIssuer, trustAuthIssuer } from "../stack/database.ts";
import { ISSUER } from "./rls.ts";

const HOLD = "select pg_sleep(0.005)";
const SIGNUPS_PER_CLIENT = { 1: 200, 8: 100 } as const;
const CHANGES_PER_CLIENT = { 1: 200, 8: 100 } as const;
const WARMUP = 5;
const ROUNDS = 3;
// Its own name, so no stack on the same database shares (and removes) it.
const AUTH_ISSUER = "https://auth.concurrency.bench.tenantry.test/auth/v1";

/**
 * Writes per second of `clients` connections each running `work` `count` times, timed
 * after every connection has run it WARMUP times untimed: a fresh connection's first
 * writes compile the trigger functions and fill its caches, which a deployment's pool
 * pays once, not per write.
 */
async function withClients(
  url: string,
  clients: number,
  count: number,
  work: (sql: postgres.Sql, client: number, count: number, phase: string) => Promise<number>,
): Promise<number> {
  const connections = Array.from({ length: clients }, () => postgres(url, { max: 1, onnotice: () => {} }));
  try {
    await Promise.all(connections.map((sql, i) => work(sql, i, WARMUP, "warm-up")));
    const started = performance.now();
    const done = await Promise.all(connections.map((sql, i) => work(sql, i, count, "timed")));
    const seconds = (performance.now() - started) / 1000;
    return done.reduce((a, b) => a + b, 0) / seconds;
  } finally {
    await Promise.all(connections.map((sql) => sql.end()));
  }
}

/** GoTrue-shaped signups as supabase_auth_admin: the auth.users insert (the provisioning trigger runs), 5 ms more, commit. */
async function signupRate(authAdminUrl: string, clients: 1 | 8): Promise<number> {
  return withClients(authAdminUrl, clients, SIGNUPS_PER_CLIENT[clients], async (sql, client, n, phase) => {
    for (let i = 0; i < n; i++) {
      await sql.begin(async (tx) => {
        await tx`
          insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                                  confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at)
          values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
                  ${`conc-${clients}-${phase}-${client}-${i}-${Date.now()}@bench.test`}, '', '{"provider":"email","providers":["email"]}',
                  '{"full_name":"Bench User"}', '', '', '', '', now(), now())`;
        await tx.unsafe(HOLD);
      });
    }
    return n;
  });
}

const concOrg = (i: number) => `00000000-0000-4000-8000-c0000000000${i}`;
const concOwner = (i: number) => `00000000-0000-4000-a000-c0000000000${i}`;
const concMember = (i: number) => `00000000-0000-4000-a000-d0000000000${i}`;

/** Eight organizations, each with an owner and a member whose role the owner changes. */
async function seedMembershipChanges(sql: postgres.Sql): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await sql`insert into public.profiles (id, identity_provider, identity_sub, email)
              values (${concOwner(i)}, ${ISSUER}, ${`conc-owner-${i}`}, ${`conc-owner-${i}@bench.test`}),
                     (${concMember(i)}, ${ISSUER}, ${`conc-member-${i}`}, ${`conc-member-${i}@bench.test`})
              on conflict do nothing`;
    await sql`insert into public.organizations (id, slug, name) values (${concOrg(i)}, ${`bench-conc-${i}`}, ${`Bench concurrency ${i}`})
              on conflict do nothing`;
    await sql`insert into public.memberships (organization_id, user_id, role)
              values (${concOrg(i)}, ${concOwner(i)}, 'owner'), (${concOrg(i)}, ${concMember(i)}, 'member')
              on conflict do nothing`;
  }
}

/** Owners changing a member's role in their own organization (change_member_role, audited), 5 ms more, commit. */
async function membershipChangeRate(url: string, clients: 1 | 8): Promise<number> {
  return withClients(url, clients, CHANGES_PER_CLIENT[clients], async (sql, client, n) => {
    const claims = JSON.stringify({ sub: `conc-owner-${client}`, iss: ISSUER, aud: "authenticated", role: "authenticated" });
    for (let i = 0; i < n; i++) {
      await sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
        const [{ result }] = await tx`
          select public.change_member_role(${concOrg(client)}, ${concMember(client)}, ${i % 2 === 0 ? "viewer" : "member"}) as result`;
        if (result?.error) throw new Error(`change_member_role refused: ${JSON.stringify(result)}`);
        await tx.unsafe(HOLD);
      });
    }
    return n;
  });
}

export async function concurrencyBench(url: string, authAdminUrl: string, log: (msg: string) => void): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  // A deployment trusts its own Supabase Auth issuer, so each sign-up gets its caller key
  // (private.caller_identities); the benchmark database trusts one while this runs.
  const trusted = await trustAuthIssuer(url, AUTH_ISSUER);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await seedMembershipChanges(admin);
    // Rounds of 1 then 8 clients, each figure the median of its rounds: the machine's speed
    // drifts over seconds, and one short run each would compare different moments.
    const rates: Record<string, number[]> = {};
    for (let roundNumber = 0; roundNumber < ROUNDS; roundNumber++) {
      for (const clients of [1, 8] as const) {
        const suffix = clients === 1 ? "1_client" : "8_clients";
        (rates[`signups_per_s_${suffix}`] ??= []).push(await signupRate(authAdminUrl, clients));
        (rates[`membership_changes_per_s_${suffix}`] ??= []).push(await membershipChangeRate(url, clients));
      }
    }
    for (const [name, values] of Object.entries(rates)) {
      figures[name] = round(percentile([...values].sort((a, b) => a - b), 50), 1);
    }
    figures.signups_8_vs_1_clients = round(figures.signups_per_s_8_clients / figures.signups_per_s_1_client, 2);
    figures.membership_changes_8_vs_1_clients = round(figures.membership_changes_per_s_8_clients / figures.membership_changes_per_s_1_client, 2);
    log(`  signups ${figures.signups_per_s_1_client}/s → ${figures.signups_per_s_8_clients}/s; membership changes ${figures.membership_changes_per_s_1_client}/s → ${figures.membership_changes_per_s_8_clients}/s`);
    // The benchmark's signups go again (cascading to their profiles and organizations).
    await admin`delete from auth.users where email like 'conc-%@bench.test'`;
  } finally {
    await admin.end();
    if (trusted) await distrustAuthIssuer(url, AUTH_ISSUER).catch(() => {});
  }
  return figures;
}
