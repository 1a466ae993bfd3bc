// Provisioning and token costs (issue 3): what the signup trigger adds to each
// auth.users insert, and the access token hook's latency by membership count.
import postgres from "postgres";
import { benchUserId } from "./rls.ts";
import { timeQuery } from "./server-timing.ts";
import { percentile, round } from "./stats.ts";

const BLOCKS = 10;
const PER_BLOCK = 60;

// Each signup is its own transaction, as in production (the procedure COMMITs after each
// insert); only the INSERT itself is timed. Blocks with and without the trigger
// alternate (a few warm-up inserts after each switch), so a noisy machine weighs on both
// sides alike; each side's figure is the median of all its inserts. The signups are
// removed again afterwards.
const signupTiming = `
  create or replace procedure pg_temp.time_signups(runs integer, with_trigger boolean, keep boolean)
  language plpgsql
  as $$
  declare
    started timestamptz;
    elapsed double precision;
  begin
    for i in 1 .. runs loop
      started := clock_timestamp();
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                              confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
              'signup-' || gen_random_uuid() || '@bench.test', '', '{"provider":"email","providers":["email"]}',
              '{"full_name":"Bench User"}', '', '', '', '', now(), now());
      elapsed := extract(epoch from clock_timestamp() - started) * 1000;
      if keep then
        insert into pg_temp.signup_times values (with_trigger, elapsed);
      end if;
      commit;
    end loop;
  end;
  $$`;

/** Median insert time into auth.users with and without the provisioning trigger. */
async function signupTimes(superuserUrl: string): Promise<{ withTrigger: number; withoutTrigger: number }> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create temp table signup_times (with_trigger boolean, ms double precision)`;
    await sql.unsafe(signupTiming);
    for (let block = 0; block < 2 * BLOCKS; block++) {
      const withTrigger = block % 2 === 1;
      await sql.unsafe(`alter table auth.users ${withTrigger ? "enable" : "disable"} trigger on_auth_user_created`);
      try {
        await sql.unsafe(`call pg_temp.time_signups(10, ${withTrigger}, false)`);
        await sql.unsafe(`call pg_temp.time_signups(${PER_BLOCK}, ${withTrigger}, true)`);
      } finally {
        await sql.unsafe("alter table auth.users enable trigger on_auth_user_created");
      }
    }
    const rows = await sql<{ with_trigger: boolean; p50: number }[]>`
      select with_trigger, percentile_cont(0.5) within group (order by ms) as p50 from signup_times group by with_trigger`;
    // Remove the benchmark's users (cascades to their profiles, organizations and projects).
    await sql`delete from auth.users where email like 'signup-%@bench.test'`;
    const p50 = (withTrigger: boolean) => Number(rows.find((r) => r.with_trigger === withTrigger)!.p50);
    return { withTrigger: p50(true), withoutTrigger: p50(false) };
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
  figures.signup_insert_ms_without_trigger = round(signup.withoutTrigger);
  figures.signup_insert_ms_with_trigger = round(signup.withTrigger);
  figures.signup_trigger_overhead_ms = round(signup.withTrigger - signup.withoutTrigger);
  // The same, relative to the bare insert measured alongside it: comparable across machines.
  figures.signup_trigger_overhead_vs_insert = round((signup.withTrigger - signup.withoutTrigger) / signup.withoutTrigger, 1);
  for (const k of [1, 100, 1000]) {
    const times = await hookTimes(authAdminUrl, k);
    figures[`hook_p50_ms_${k}`] = round(percentile(times, 50));
    figures[`hook_p99_ms_${k}`] = round(percentile(times, 99));
  }
  return figures;
}
