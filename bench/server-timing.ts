// Server-side timing: a query is run repeatedly inside PostgreSQL and each run is
// timed with clock_timestamp(), so client round trips do not blur sub-millisecond
// figures. The identity (role and JWT claims) is set transaction-locally before each
// run, the way PostgREST does, so RLS applies exactly as for a real request. Several
// cases can be timed interleaved (A, B, A, B, ...): a query and its floor then see the
// same machine at the same moment, which matters on noisy machines.
import type postgres from "postgres";

export interface Identity {
  role: "authenticated" | "anon" | "service_role" | "supabase_auth_admin" | null;
  claims?: Record<string, unknown>;
}

export interface TimedCase {
  statement: string;
  identity: Identity;
}

const timingFunction = `
  create or replace function pg_temp.time_cases(statements text[], roles text[], claims text[], runs integer)
  returns table (case_index integer, ms double precision)
  language plpgsql
  as $$
  declare
    started timestamptz;
    ignored bigint;
  begin
    for run in 1 .. runs loop
      for i in 1 .. cardinality(statements) loop
        perform set_config('role', 'none', true);
        perform set_config('request.jwt.claims', claims[i], true);
        perform set_config('role', roles[i], true);
        -- PostgREST's db-pre-request, untimed: PostgREST runs it as its own statement.
        if roles[i] <> 'none' then
          perform tenantry_request.pre_request();
        end if;
        started := clock_timestamp();
        -- q::text forces every column to be computed, so no expression is optimised away.
        execute format('select count(*) from (%s) as q where q::text is not null', statements[i]) into ignored;
        case_index := i;
        ms := extract(epoch from clock_timestamp() - started) * 1000;
        return next;
      end loop;
    end loop;
    perform set_config('role', 'none', true);
  end;
  $$`;

/**
 * Per-run milliseconds of each case, run interleaved `runs` times (after `warmup` rounds);
 * one sorted array per case, in the order given.
 */
export async function timeCases(sql: postgres.Sql, cases: TimedCase[], runs: number, warmup = 3): Promise<number[][]> {
  const statements = cases.map((c) => c.statement);
  // role 'none' is the connection's own role (for floors: one that bypasses RLS).
  const roles = cases.map((c) => c.identity.role ?? "none");
  const claims = cases.map((c) => (c.identity.role ? JSON.stringify({ ...c.identity.claims, role: c.identity.role }) : ""));
  return sql.begin(async (tx) => {
    await tx.unsafe(timingFunction);
    await tx`select count(*) from pg_temp.time_cases(${statements}, ${roles}, ${claims}, ${warmup})`;
    const rows = await tx<{ case_index: number; ms: number }[]>`
      select case_index, ms from pg_temp.time_cases(${statements}, ${roles}, ${claims}, ${runs})`;
    return cases.map((_, i) => rows.filter((r) => r.case_index === i + 1).map((r) => Number(r.ms)).sort((a, b) => a - b));
  });
}

/** Per-run milliseconds of `statement` executed `runs` times as `identity` (after `warmup` runs), sorted. */
export async function timeQuery(
  sql: postgres.Sql,
  statement: string,
  identity: Identity,
  runs: number,
  warmup = 3,
): Promise<number[]> {
  const [times] = await timeCases(sql, [{ statement, identity }], runs, warmup);
  return times;
}
