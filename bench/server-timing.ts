// Server-side timing: a query is run repeatedly inside PostgreSQL and each run is
// timed with clock_timestamp(), so client round trips do not blur sub-millisecond
// figures. The identity (role and JWT claims) is set transaction-locally first, the
// way PostgREST does, so RLS applies exactly as for a real request.
import type postgres from "postgres";

export interface Identity {
  role: "authenticated" | "anon" | "service_role" | "supabase_auth_admin" | null;
  claims?: Record<string, unknown>;
}

const timingFunction = `
  create or replace function pg_temp.time_runs(statement text, runs integer)
  returns double precision[]
  language plpgsql
  as $$
  declare
    times double precision[] := '{}';
    started timestamptz;
    ignored bigint;
  begin
    for i in 1 .. runs loop
      started := clock_timestamp();
      -- q::text forces every column to be computed, so no expression is optimised away.
      execute format('select count(*) from (%s) as q where q::text is not null', statement) into ignored;
      times := times || extract(epoch from clock_timestamp() - started) * 1000;
    end loop;
    return times;
  end;
  $$`;

/** Per-run milliseconds of `statement` executed `runs` times as `identity` (after `warmup` runs). */
export async function timeQuery(
  sql: postgres.Sql,
  statement: string,
  identity: Identity,
  runs: number,
  warmup = 3,
): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx.unsafe(timingFunction);
    if (identity.role) {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ ...identity.claims, role: identity.role })}, true),
                      set_config('role', ${identity.role}, true)`;
    }
    await tx`select pg_temp.time_runs(${statement}, ${warmup})`;
    const [row] = await tx<{ times: number[] }[]>`select pg_temp.time_runs(${statement}, ${runs}) as times`;
    return row.times.map(Number).sort((a, b) => a - b);
  });
}
