// JIT provisioning through the real edge function (issue 4): a third-party token's
// first request (verify against the IdP's JWKS, provision, answer) and later ones.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { Stack } from "../stack/stack.ts";
import { startTestIdp } from "../tests/helpers/identity-provider.ts";
import { percentile, round } from "./stats.ts";

const FIRST = 100;
const WARM = 300;

export async function jitBench(stack: Stack): Promise<Record<string, number>> {
  const sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  const idp = await startTestIdp(sql);
  try {
    const clerk = await idp.provider(`bench-clerk-${randomUUID().slice(0, 6)}`, { kind: "clerk" });
    const me = async (token: string) => {
      const res = await fetch(`${stack.url}/functions/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`/me answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const newUserToken = () => {
      const sub = `user_${randomUUID()}`;
      return clerk.sign({ sub, email: `${sub}@bench.test`, name: "Bench", org_id: `org_${sub}`, org_slug: `bench-${sub.slice(-12)}`, org_role: "org:member" });
    };
    await me(await newUserToken()); // warm the isolate: JWKS fetched, plans cached

    const first: number[] = [];
    for (let i = 0; i < FIRST; i++) {
      const token = await newUserToken();
      const started = performance.now();
      await me(token);
      first.push(performance.now() - started);
    }
    const token = await newUserToken();
    await me(token);
    const warm: number[] = [];
    for (let i = 0; i < WARM; i++) {
      const started = performance.now();
      await me(token);
      warm.push(performance.now() - started);
    }
    first.sort((a, b) => a - b);
    warm.sort((a, b) => a - b);
    return {
      jit_first_request_p50_ms: round(percentile(first, 50)),
      jit_first_request_p95_ms: round(percentile(first, 95)),
      jit_warm_request_p50_ms: round(percentile(warm, 50)),
      jit_warm_request_p95_ms: round(percentile(warm, 95)),
    };
  } finally {
    await idp.close();
    await sql.end();
  }
}
