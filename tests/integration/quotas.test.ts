// Quotas hold under concurrency (SPEC F11): twenty inserts racing for the last slot,
// each in its own transaction on its own connection — exactly one gets it.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connect, stack } from "../helpers/stack.ts";

const sql = connect();
const racers = postgres(stack.dbUrl, { max: 20, onnotice: () => {} });
afterAll(() => racers.end());

describe("quotas under concurrency", () => {
  it("20 concurrent attempts for the last project slot: exactly one succeeds", async () => {
    const plan = `race${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    await sql`insert into public.plan_limits (plan, limit_name, max_value) values (${plan}, 'projects_per_org', 3)`;
    const [org] = await sql`insert into public.organizations (slug, name, plan) values (${plan}, ${plan}, ${plan}) returning id`;
    await sql`insert into public.projects (organization_id, name) values (${org.id}, 'one'), (${org.id}, 'two')`;

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        racers.begin(async (tx) => {
          await tx`insert into public.projects (organization_id, name) values (${org.id}, ${`racer ${i}`})`;
          await tx`select pg_sleep(0.005)`; // hold the slot a moment so the others really wait
        }),
      ),
    );
    const succeeded = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "PT403").length;
    expect({ succeeded, refused }).toEqual({ succeeded: 1, refused: 19 });
    const [{ n }] = await sql`select count(*)::int as n from public.projects where organization_id = ${org.id}`;
    expect(n).toBe(3);
  });

  it("20 concurrent attempts for the last member slot: exactly one succeeds", async () => {
    const plan = `race${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    await sql`insert into public.plan_limits (plan, limit_name, max_value) values (${plan}, 'members_per_org', 1)`;
    const [org] = await sql`insert into public.organizations (slug, name, plan) values (${plan}, ${plan}, ${plan}) returning id`;
    const users = await sql`
      insert into public.profiles (identity_provider, identity_sub)
      select 'https://quota.test', ${plan} || '-' || n from generate_series(1, 20) n returning id`;
    const results = await Promise.allSettled(
      users.map((u) => racers.begin((tx) => tx`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${u.id}, 'member')`)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
