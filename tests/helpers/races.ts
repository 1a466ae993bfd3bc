// What the concurrency suite (tests/integration/concurrency-*.test.ts) uses to make a
// race real: a pool with a connection per racer, transactions held open at a chosen
// point, and a way to wait until other sessions are really queued behind one of them
// (so a test never passes because its racers happened to run one after the other).
import postgres from "postgres";
import { afterAll } from "vitest";
import { withIdentity, type Tx } from "../../functions/_shared/db.ts";
import { stack } from "./stack.ts";

/** A pool with one connection per racer: every racer has its own session and transaction. */
export function racePool(size = 24): postgres.Sql {
  const sql = postgres(stack.dbUrl, { max: size, onnotice: () => {} });
  afterAll(() => sql.end());
  return sql;
}

/** The backend pid of a reserved connection. */
export async function pidOf(conn: postgres.ReservedSql): Promise<number> {
  const [{ pid }] = await conn`select pg_backend_pid() as pid`;
  return Number(pid);
}

/**
 * Resolves once `count` sessions wait for a lock the session `holder` holds (directly or
 * behind another waiter), or once `settled` says the work needing them finished without
 * waiting. Polls pg_stat_activity; gives up (resolves) after `timeoutMs`.
 */
export async function queuedBehind(
  sql: postgres.Sql,
  holder: number,
  count: number,
  settled: () => boolean = () => false,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let waiting = 0;
  while (Date.now() < deadline && !settled()) {
    const [row] = await sql`
      with recursive blocked (pid) as (
        select a.pid from pg_stat_activity a where ${holder}::int = any (pg_blocking_pids(a.pid))
        union
        select a.pid from pg_stat_activity a join blocked b on b.pid = any (pg_blocking_pids(a.pid))
      )
      select count(*)::int as n from blocked`;
    waiting = row.n;
    if (waiting >= count) return waiting;
    await new Promise((r) => setTimeout(r, 10));
  }
  return waiting;
}

/** Tracks whether a promise has settled, without ever rejecting. */
export function track<T>(promise: Promise<T>): { promise: Promise<PromiseSettledResult<T>>; settled: () => boolean } {
  let done = false;
  const settledPromise = promise.then(
    (value) => ((done = true), { status: "fulfilled", value }) as PromiseFulfilledResult<T>,
    (reason) => ((done = true), { status: "rejected", reason }) as PromiseRejectedResult,
  );
  return { promise: settledPromise, settled: () => done };
}

/**
 * A transaction on its own connection that stays open until `release()`: `ready`
 * resolves with its backend pid once `work` has run in it. `release("rollback")` ends
 * it without committing (as does a test that never releases it, after 25 s). The result
 * of the transaction is `done`.
 */
export function heldTransaction(sql: postgres.Sql, work: (tx: Tx) => Promise<unknown>) {
  let release!: (how?: "commit" | "rollback") => void;
  const released = new Promise<"commit" | "rollback">((resolve) => (release = (how = "commit") => resolve(how)));
  // A test that fails before releasing must not leave its lock held for the next ones.
  setTimeout(() => release("rollback"), 25_000).unref();
  let ready!: (pid: number) => void;
  let failed!: (error: unknown) => void;
  const started = new Promise<number>((resolve, reject) => ((ready = resolve), (failed = reject)));
  const done = sql
    .begin(async (tx) => {
      const [{ pid }] = await tx`select pg_backend_pid() as pid`;
      await work(tx as unknown as Tx);
      ready(Number(pid));
      if ((await released) === "rollback") throw new RolledBack();
    })
    .catch((error) => {
      failed(error);
      if (!(error instanceof RolledBack)) throw error;
    });
  return { ready: started, release, done };
}

class RolledBack extends Error {}

/** A signed-in Supabase Auth user's RPC session, as PostgREST sets it up (role, claims, pre-request). */
export function asSupabaseUser<T>(sql: postgres.Sql, issuer: string, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withIdentity(sql, { role: "authenticated", claims: { sub: userId, aud: "authenticated", iss: issuer } }, fn);
}

/** A third-party user's RPC session: claims as their verified token carries them, provisioned first (JIT). */
export function asThirdPartyUser<T>(sql: postgres.Sql, claims: Record<string, unknown>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withIdentity(sql, { role: "authenticated", claims, provision: true }, fn);
}

/**
 * "ok", "denied" (an RPC's audited refusal: it returns `{ error }` rather than raising)
 * or the SQLSTATE of a racer that raised.
 */
export function outcome(result: PromiseSettledResult<unknown>): string {
  if (result.status === "fulfilled") {
    const value = result.value as { error?: unknown } | null;
    return value && typeof value === "object" && "error" in value ? "denied" : "ok";
  }
  return String((result.reason as { code?: string }).code ?? (result.reason as Error).message);
}

/** How many results had each outcome, e.g. { ok: 1, "55000": 19 }. */
export function tally(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[outcome(r)] = (counts[outcome(r)] ?? 0) + 1;
  return counts;
}
