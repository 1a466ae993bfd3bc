// Concurrency suite (issue 14), part 5: parallel audit writers form one valid hash chain
// (SPEC F13). audit-log.test.ts already has 50 direct writers; here the writers are real
// audited work of every kind at once — HTTP requests refused and audited by the API,
// RPC sessions, transactions that roll back — all queued at their commit-time seal
// behind this test's lock on the chain head, then checked with the chain verifier.
// (The rest of the suite: see the header of concurrency-owners.test.ts.)
import { describe, expect, it } from "vitest";
import { call, signedInUser, sql, uniqueWord } from "../helpers/callers.ts";
import { heldTransaction, queuedBehind, racePool, tally, track } from "../helpers/races.ts";

const race = racePool(32);

describe("parallel audit writers", () => {
  it("20 refused HTTP requests, 20 committing and 10 rolling-back writers at once: one valid chain with every committed event once", async () => {
    const marker = `${uniqueWord("concurrency")}.write`;
    const users = await Promise.all(Array.from({ length: 4 }, () => signedInUser("audited")));
    const head = heldTransaction(race, (tx) => tx`select 1 from private.audit_chain for update`);
    const holder = await head.ready;
    // A plain user asking for the admin API: refused, and the refusal audited.
    const requests = Array.from({ length: 20 }, (_, i) => track(call("admin/users", users[i % users.length].token)));
    const writers = Array.from({ length: 30 }, (_, i) => track(race.begin(async (tx) => {
      await tx`select private.audit(${marker}, null, 'writer', ${String(i)})`;
      await tx`select private.audit(${marker}, null, 'writer', ${String(i)})`;
      if (i >= 20) throw Object.assign(new Error("rolled back"), { code: "rollback" });
    })));
    try {
      // The 20 committing writers wait at their seal, and the requests too, as many as the
      // functions' pools let through; the rolling-back ones end meanwhile, sealing nothing.
      expect(await queuedBehind(sql, holder, 24)).toBeGreaterThanOrEqual(24);
    } finally {
      head.release();
      await head.done;
    }
    expect(tally(await Promise.all(writers.map((w) => w.promise)))).toEqual({ ok: 20, rollback: 10 });
    const responses = await Promise.all(requests.map(async (r) => {
      const settled = await r.promise;
      if (settled.status === "rejected") throw settled.reason;
      return settled.value;
    }));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(403));

    const [{ writes }] = await sql`select count(*)::int as writes from public.audit_events where action = ${marker}`;
    expect(writes).toBe(40);
    const denials = await sql`
      select request_id, count(*)::int as n from public.audit_events
      where request_id = any (${responses.map((r) => r.headers.get("x-debug-id")!)}) and outcome = 'denied' group by request_id`;
    expect(denials.map((d) => d.n)).toEqual(Array(20).fill(1));
    const [{ result }] = await sql`select public.verify_audit_chain() as result`;
    expect(result.ok).toBe(true);
    // Ids follow the chain: no two events share a predecessor.
    const [{ forks }] = await sql`select count(*)::int as forks from (select prev_hash from public.audit_events group by prev_hash having count(*) > 1) f`;
    expect(forks).toBe(0);
  });
});
