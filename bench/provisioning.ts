// Provisioning and token costs (issue 3): what the signup trigger adds to each
// auth.users insert, and the access token hook's latency by membership count.
import postgres from "postgres";
import { benchUserId } from "./rls.ts";
import { timeQuery } from "./server-timing.ts";
import { percentile, round } from "./stats.ts";

const BLOCKS = 10;
const PER_BLOCK = 60;

// Each signup is its own transaction, as in production (the procedure COMMITs after each
// insert); only the work a signup waits for is timed. Three kinds of block alternate
// (a few warm-up inserts after each switch), so a noisy machine weighs on all alike:
//   bare     the auth.users insert alone (trigger disabled);
//   trigger  the same insert with the provisioning trigger;
//   rows     the insert (trigger disabled) followed by one plain statement writing the
//            rows a signup must produce: profile, personal organization, owner
//            membership, starter project and a hash-chained audit event.
// `rows - bare` is a floor for the trigger: what the schema's writes cost by themselves
// (constraints, indexes, foreign keys, the chain), without any provisioning code.
// Each figure is the median of all inserts of its kind; the signups are removed again.
const signupTiming = `
  create or replace procedure pg_temp.time_signups(runs integer, kind text, keep boolean)
  language plpgsql
  as $$
  declare
    started timestamptz;
    elapsed double precision;
    user_id uuid;
  begin
    for i in 1 .. runs loop
      started := clock_timestamp();
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                              confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
              'signup-' || gen_random_uuid() || '@bench.test', '', '{"provider":"email","providers":["email"]}',
              '{"full_name":"Bench User"}', '', '', '', '', now(), now())
      returning id into user_id;
      if kind = 'rows' then
        with profile as (
          insert into public.profiles (id, auth_user_id, identity_provider, identity_sub, email, display_name)
          values (user_id, user_id, 'supabase', user_id::text, 'signup-' || user_id || '@bench.test', 'Bench User')
          returning id
        ), personal as (
          insert into public.organizations (slug, name, is_personal, created_by)
          select 'personal-' || left(replace(id::text, '-', ''), 16), 'Bench User (personal ' || left(id::text, 8) || ')', true, id
          from profile
          returning id, created_by
        ), owner as (
          insert into public.memberships (organization_id, user_id, role) select id, created_by, 'owner' from personal
        ), starter as (
          insert into public.projects (organization_id, name, is_starter, created_by)
          select id, 'My first project', true, created_by from personal
        ), head as (
          select c.last_hash from private.audit_chain c for update
        ), event as (
          select nextval('public.audit_events_id_seq'::regclass) as id, clock_timestamp() as occurred_at,
                 head.last_hash as prev_hash, '{"identity_provider": "supabase"}'::jsonb as details
          from head
        ), appended as (
          insert into public.audit_events (id, occurred_at, actor_type, action, target_type, target_id, details, prev_hash, hash)
          overriding system value
          select id, occurred_at, 'system', 'user.provision', 'user', user_id::text, details, prev_hash,
                 private.audit_event_digest(prev_hash, row(id, occurred_at, null, 'system', 'user.provision', 'success', null,
                   'user', user_id::text, details, null, null, null, null, null, prev_hash, null)::public.audit_events)
          from event
          returning id, hash
        )
        update private.audit_chain set last_id = appended.id, last_hash = appended.hash from appended;
      end if;
      elapsed := extract(epoch from clock_timestamp() - started) * 1000;
      if keep then
        insert into pg_temp.signup_times values (kind, elapsed);
      end if;
      commit;
    end loop;
  end;
  $$`;

type SignupKind = "bare" | "trigger" | "rows";

/** Median time of each kind of signup (see above). */
async function signupTimes(superuserUrl: string): Promise<Record<SignupKind, number>> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  const kinds: SignupKind[] = ["bare", "trigger", "rows"];
  try {
    await sql`create temp table signup_times (kind text, ms double precision)`;
    await sql.unsafe(signupTiming);
    for (let block = 0; block < kinds.length * BLOCKS; block++) {
      const kind = kinds[block % kinds.length];
      await sql.unsafe(`alter table auth.users ${kind === "trigger" ? "enable" : "disable"} trigger on_auth_user_created`);
      try {
        await sql.unsafe(`call pg_temp.time_signups(10, '${kind}', false)`);
        await sql.unsafe(`call pg_temp.time_signups(${PER_BLOCK}, '${kind}', true)`);
      } finally {
        await sql.unsafe("alter table auth.users enable trigger on_auth_user_created");
      }
    }
    const rows = await sql<{ kind: SignupKind; p50: number }[]>`
      select kind, percentile_cont(0.5) within group (order by ms) as p50 from signup_times group by kind`;
    // Remove the benchmark's users (cascades to their profiles, organizations and projects).
    await sql`delete from auth.users where email like 'signup-%@bench.test'`;
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.p50)])) as Record<SignupKind, number>;
  } finally {
    await sql.end();
  }
}

async function hookTimes(authAdminUrl: string, memberships: number): Promise<number[]> {
  const sql = postgres(authAdminUrl, { max: 1, onnotice: () => {} });
  try {
    const event = JSON.stringify({
      user_id: benchUserId(memberships),
      authentication_method: "token_refresh",
      claims: { sub: benchUserId(memberships), aud: "authenticated", role: "authenticated", exp: 2000000000, iat: 1, email: "", phone: "", aal: "aal1", session_id: "s", is_anonymous: false },
    });
    const statement = `select private.custom_access_token_hook('${event}'::jsonb)`;
    return await timeQuery(sql, statement, { role: null }, 500, 20);
  } finally {
    await sql.end();
  }
}

export async function provisioningBench(superuserUrl: string, authAdminUrl: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const signup = await signupTimes(superuserUrl);
  const overhead = signup.trigger - signup.bare;
  const rowsFloor = signup.rows - signup.bare;
  figures.signup_insert_ms_without_trigger = round(signup.bare);
  figures.signup_insert_ms_with_trigger = round(signup.trigger);
  figures.signup_trigger_overhead_ms = round(overhead);
  // The same, relative to floors measured alongside it: comparable across machines.
  figures.signup_trigger_overhead_vs_insert = round(overhead / signup.bare, 1);
  figures.signup_rows_floor_ms = round(rowsFloor);
  figures.signup_trigger_overhead_vs_rows_floor = round(overhead / rowsFloor, 2);
  for (const k of [1, 100, 1000]) {
    const times = await hookTimes(authAdminUrl, k);
    figures[`hook_p50_ms_${k}`] = round(percentile(times, 50));
    figures[`hook_p99_ms_${k}`] = round(percentile(times, 99));
  }
  return figures;
}
