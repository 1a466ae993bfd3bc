// The hash chain under concurrent writers (SPEC F13, issue 13): appends from many
// connections at once still form one valid chain, and an audited transaction still at
// work does not hold back another one (events are chained at commit).
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

  it("an audited transaction still at work does not hold back another audited transaction", async () => {
    const tag = Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
    const order: string[] = [];
    let slowAudited!: () => void;
    const audited = new Promise<void>((resolve) => (slowAudited = resolve));
    const slow = pool.begin(async (tx) => {
      await tx`select private.audit(${`slow.run_${tag}`}, null, 'writer', 'slow')`;
      slowAudited();
      await tx`select pg_sleep(1)`;
      order.push("slow committed");
    });
    await audited;
    await pool.begin(async (tx) => {
      await tx`select private.audit(${`fast.run_${tag}`}, null, 'writer', 'fast')`;
    });
    order.push("fast committed");
    await slow;
    expect(order).toEqual(["fast committed", "slow committed"]);
    // Chained in commit order: the later commit has the later id.
    const rows = await pool<{ action: string }[]>`
      select action from public.audit_events where action in (${`slow.run_${tag}`}, ${`fast.run_${tag}`}) order by id`;
    expect(rows.map((r) => r.action)).toEqual([`fast.run_${tag}`, `slow.run_${tag}`]);
    const [{ result }] = await pool`select public.verify_audit_chain() as result`;
    expect(result.ok).toBe(true);
  });
});
