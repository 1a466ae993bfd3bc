// Quotas hold under concurrency (SPEC F11): twenty inserts racing for the last slot,
// each in its own transaction on its own connection — exactly one gets it. And where
// nothing is limited nobody queues: joining the default organization (every signup does)
// does not wait for another transaction joining it (issue 13).
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

  it("joining the default organization does not wait for another transaction joining it", async () => {
    // The default organization as provisioning makes it; one made here goes again at the end
    // (a shared database's other tests expect to find it as they left it).
    const slug = `default-${randomUUID().slice(0, 8)}`;
    const made = await sql`insert into public.organizations (slug, name, is_default) values (${slug}, 'Default', true) on conflict (is_default) where is_default do nothing returning id`;
    const [org] = await sql`select id from public.organizations where is_default`;
    const [first, second] = await Promise.all(
      [0, 1].map(async (i) => {
        const [user] = await sql`insert into public.profiles (identity_provider, identity_sub, email) values ('https://quota-joiners.test', ${randomUUID()}, ${`joiner-${i}-${randomUUID()}@test.local`}) returning id`;
        return user.id as string;
      }),
    );
    const order: string[] = [];
    let firstJoined!: () => void;
    const joined = new Promise<void>((resolve) => (firstJoined = resolve));
    const slow = racers.begin(async (tx) => {
      await tx`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${first}, 'member')`;
      firstJoined();
      await tx`select pg_sleep(1)`;
      order.push("first committed");
    });
    await joined;
    await racers.begin(async (tx) => {
      await tx`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${second}, 'member')`;
    });
    order.push("second committed");
    await slow;
    await sql`delete from public.profiles where id in (${first}, ${second})`;
    if (made.length) await sql`delete from public.organizations where id = ${org.id}`;
    expect(order).toEqual(["second committed", "first committed"]);
  });
});
