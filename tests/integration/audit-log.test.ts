// The hash chain under concurrent writers (SPEC F13): appends from many connections at
// once still form one valid chain.
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { stack } from "../helpers/stack.ts";

const pool = postgres(stack.dbUrl, { max: 50, onnotice: () => {} });
afterAll(() => pool.end());

describe("audit hash chain", () => {
  it("50 concurrent writers keep the chain valid", async () => {
    // Actions are lower-case words: tag this run with letters only.
    const tag = Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
    const marker = `concurrency.run_${tag}`;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        pool.begin(async (tx) => {
          // Several events per transaction, with a pause, so transactions really overlap.
          await tx`select private.audit(${marker}, null, 'writer', ${String(i)})`;
          await tx`select pg_sleep(0.01)`;
          await tx`select private.audit(${marker}, null, 'writer', ${String(i)})`;
        }),
      ),
    );
    const [{ n }] = await pool`select count(*)::int as n from public.audit_events where action = ${marker}`;
    expect(n).toBe(100);
    const [{ result }] = await pool`select public.verify_audit_chain() as result`;
    expect(result.ok).toBe(true);
  });

  it("a transaction that rolls back leaves no gap in the chain", async () => {
    await pool
      .begin(async (tx) => {
        await tx`select private.audit('rollback.test', null, 'writer', 'x')`;
        throw new Error("rollback");
      })
      .catch(() => undefined);
    await pool`select private.audit('after.rollback', null, 'writer', 'y')`;
    const [{ result }] = await pool`select public.verify_audit_chain() as result`;
    expect(result.ok).toBe(true);
  });
});
