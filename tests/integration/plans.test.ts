// GET /functions/v1/plans (issue 11; SPEC F11, F12, F14): a public route listing the
// plans with their limits and plan-level flag values; no credential needed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlansClient } from "../../client/index.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";
import { uniqueWord } from "../helpers/callers.ts";

const sql = connect();
const auth = authService();
const plansUrl = functionUrl("plans");
const plan = uniqueWord("tier").replace("_", "-");
const flag = uniqueWord("plansflag").replace("_", "-");

beforeAll(async () => {
  await sql`insert into public.feature_flags (key, description, default_value) values (${flag}, 'plans test', 'false')`;
  await sql`insert into public.plan_limits (plan, limit_name, max_value) values (${plan}, 'members_per_org', 3), (${plan}, 'tokens_per_user', null)`;
  await sql`insert into public.plan_feature_flags (plan, key, value) values (${plan}, ${flag}, '{"seats": 3}')`;
});

afterAll(async () => {
  await sql`delete from public.plan_limits where plan = ${plan}`;
  await sql`delete from public.feature_flags where key = ${flag}`;
});

describe("GET /plans", () => {
  it("without any credential lists every plan with its limits, smallest first", async () => {
    const res = await fetch(plansUrl);
    expect(res.status).toBe(200);
    const { plans } = await res.json();
    const names = plans.map((p: { plan: string }) => p.plan);
    expect(names.indexOf("free")).toBeLessThan(names.indexOf("pro"));
    expect(names.indexOf("pro")).toBeLessThan(names.indexOf("enterprise"));
    const rows = await sql<{ limit_name: string; max_value: number | null }[]>`select limit_name, max_value from public.plan_limits where plan = 'free'`;
    expect(plans.find((p: { plan: string }) => p.plan === "free").limits).toEqual(Object.fromEntries(rows.map((r) => [r.limit_name, r.max_value])));
    expect(plans.find((p: { plan: string }) => p.plan === "enterprise").limits.members_per_org).toBeNull();
  });

  it("shows a plan's flag values and unlimited limits as null", async () => {
    const client = createPlansClient({ url: stack.url });
    const { data, response } = await client.GET("/plans");
    expect(response.status).toBe(200);
    expect(data!.plans.find((p) => p.plan === plan)).toEqual({
      plan, limits: { members_per_org: 3, tokens_per_user: null }, flags: { [flag]: { seats: 3 } },
    });
  });

  it("the publishable key, the secret key and a user's token get the same answer", async () => {
    const anonymous = await (await fetch(plansUrl)).json();
    const user = await auth.tokenFor(uniqueEmail("plans"));
    const credentials: Record<string, string>[] = [{ apikey: stack.publishableKey }, { apikey: stack.secretKey }, { authorization: `Bearer ${user.accessToken}` }];
    for (const headers of credentials) {
      const res = await fetch(plansUrl, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(anonymous);
    }
  });

  it("other methods get 405 with allow; unknown paths 404; both as JSON errors with a debug id", async () => {
    const post = await fetch(plansUrl, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    const missing = await fetch(functionUrl("plans/nope"));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.debug_id).toBe(missing.headers.get("x-debug-id"));
  });

  it("serves its OpenAPI document, which marks the route public", async () => {
    const doc = await (await fetch(functionUrl("plans/openapi.json"))).json();
    expect(doc.paths["/plans"].get.security).toEqual([]);
  });

  it("answers CORS preflight", async () => {
    const res = await fetch(plansUrl, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
