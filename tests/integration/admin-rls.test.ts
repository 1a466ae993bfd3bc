// GET /admin/rls, POST /admin/rls/apply and USER_MGMT_RLS_ENFORCE (issue 11; SPEC F6,
// F14, F15): the report over every exposed table, the Enable RLS action streaming one
// line per registered table (each its own transaction as the caller, audited), and the
// automatic repair an admin function isolate starts at its first request.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../client/index.ts";
import { connect, stack } from "../helpers/stack.ts";
import { type TestCaller, call, expectDeniedEvent, expectError, personalAccessToken, platformUser, signedInUser, uniqueWord } from "../helpers/callers.ts";
import { startExtraFunction } from "../helpers/function-process.ts";

const sql = connect();

let admin: TestCaller;
let plain: TestCaller;
/** An application table of this file's own, registered with protect_table. */
const probe = uniqueWord("rls_probe");
const selectPolicy = `${probe}_select_owner`;

const policyExists = async (name: string) =>
  (await sql`select count(*)::int as n from pg_policy where polrelid = ${`public.${probe}`}::regclass and polname = ${name}`)[0].n === 1;

beforeAll(async () => {
  admin = await platformUser("admin", "rls-admin");
  plain = await signedInUser("rls-plain", { organizations: false });
  await sql.unsafe(`create table public.${probe} (id uuid primary key default gen_random_uuid(), user_id uuid not null, note text)`);
  await sql`select public.protect_table(${`public.${probe}`}::regclass, 'owner')`;
});

afterAll(async () => {
  await sql.unsafe(`drop table if exists public.${probe}`);
  await sql`delete from private.protected_tables where table_name = ${probe}`;
});

const applyLines = async (res: Response) => (await res.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));

describe("GET /admin/rls", () => {
  it("reports every table of the exposed schemas with RLS state, policies, grants and protect_table registration", async () => {
    const client = createAdminClient({ url: stack.url, token: admin.token });
    const { data, response } = await client.GET("/admin/rls");
    expect(response.status).toBe(200);
    expect(data!.schemas).toEqual(["public", "graphql_public"]);
    const tables = await sql<{ name: string }[]>`select relname::text as name from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')`;
    expect(data!.tables.map((t) => t.name)).toEqual(expect.arrayContaining(tables.map((t) => t.name)));
    const projects = data!.tables.find((t) => t.table === "public.projects")!;
    expect(projects).toMatchObject({ rls_enabled: true, protected: true, tenantry_managed: false, drift: [], protection: { scope: "org", column: "organization_id" } });
    expect(projects.policies.map((p) => p.command).sort()).toEqual(expect.arrayContaining(["delete", "insert", "select", "update"]));
    const profiles = data!.tables.find((t) => t.table === "public.profiles")!;
    expect(profiles).toMatchObject({ tenantry_managed: true, protected: false, protection: null, exposed_without_rls: false });
    expect(data!.summary.tables).toBe(data!.tables.length);
  });

  it("flags a table the API roles can reach without RLS", async () => {
    const open = uniqueWord("rls_open");
    await sql.unsafe(`create table public.${open} (id uuid primary key); grant select, insert on public.${open} to authenticated`);
    try {
      const report = await (await call("admin/rls", admin.token)).json();
      expect(report.tables.find((t: { name: string }) => t.name === open)).toMatchObject({
        rls_enabled: false, exposed_without_rls: true, grants: { anon: [], authenticated: ["select", "insert"] },
      });
      expect(report.summary.exposed_without_rls_tables).toContain(`public.${open}`);
    } finally {
      await sql.unsafe(`drop table public.${open}`);
    }
  });

  it("shows what protect_table would change on a registered table that drifted", async () => {
    await sql.unsafe(`drop policy ${selectPolicy} on public.${probe}`);
    const report = await (await call("admin/rls", admin.token)).json();
    expect(report.tables.find((t: { name: string }) => t.name === probe).drift).toEqual([`policies missing: ${selectPolicy}`]);
    await sql`select public.protect_table(${`public.${probe}`}::regclass, 'owner')`;
  });

  it("a user without rls:manage gets 403, and the refusal is audited", async () => {
    const res = await call("admin/rls", plain.token);
    await expectError(res, 403, "forbidden");
    await expectDeniedEvent(res, "rls.read", plain.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/rls"), 401, "unauthorized");
  });

  it("a token with rls:manage reads the report; one without gets 403 naming the scope", async () => {
    expect((await call("admin/rls", await personalAccessToken(admin, ["rls:manage"]))).status).toBe(200);
    const error = await expectError(await call("admin/rls", await personalAccessToken(admin, ["audit:read"])), 403, "forbidden");
    expect(error.message).toMatch(/lacks the rls:manage scope/);
  });

  it("other methods get 405 with allow: GET", async () => {
    const res = await call("admin/rls", admin.token, { method: "POST" });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET");
  });
});

describe("POST /admin/rls/apply", () => {
  it("streams one line per registered table, each protect_table audited as the caller in its own request transaction", async () => {
    await sql.unsafe(`drop policy ${selectPolicy} on public.${probe}`);
    const res = await call("admin/rls/apply", admin.token, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = await applyLines(res);
    const registered = await sql<{ t: string }[]>`select format('%I.%I', schema_name, table_name) as t from private.protected_tables`;
    expect(lines.map((l) => l.table).sort()).toEqual(registered.map((r) => r.t).sort());
    expect(lines.find((l) => l.table === "public.projects")).toMatchObject({ status: "applied", report: { scope: "org", policies_created: [] } });
    expect(lines.find((l) => l.table === `public.${probe}`)).toMatchObject({ status: "applied", report: { policies_created: [selectPolicy] } });
    expect(await policyExists(selectPolicy)).toBe(true);
    const events = await sql`
      select target_id, actor_id, outcome from public.audit_events
      where action = 'rls.protect_table' and request_id = ${res.headers.get("x-debug-id")!}`;
    expect(events.map((e) => e.target_id).sort()).toEqual(registered.map((r) => r.t).sort());
    expect(events.every((e) => e.actor_id === admin.id && e.outcome === "success")).toBe(true);
  });

  it("a registered table that no longer exists gets a missing line", async () => {
    const gone = uniqueWord("rls_gone");
    await sql`insert into private.protected_tables (schema_name, table_name, scope, column_name, read_permission, write_permission)
              values ('public', ${gone}, 'owner', 'user_id', 'data:read', 'data:write')`;
    try {
      const lines = await applyLines(await call("admin/rls/apply", admin.token, { method: "POST" }));
      expect(lines.find((l) => l.table === `public.${gone}`)).toEqual({ table: `public.${gone}`, status: "missing" });
    } finally {
      await sql`delete from private.protected_tables where table_name = ${gone}`;
    }
  });

  it("a user without rls:manage gets a plain 403 before any line, and the refusal is audited", async () => {
    const res = await call("admin/rls/apply", plain.token, { method: "POST" });
    await expectError(res, 403, "forbidden");
    await expectDeniedEvent(res, "rls.read", plain.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/rls/apply", undefined, { method: "POST" }), 401, "unauthorized");
  });

  it("a token with rls:manage applies; one without gets 403", async () => {
    const lines = await applyLines(await call("admin/rls/apply", await personalAccessToken(admin, ["rls:manage"]), { method: "POST" }));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((l) => l.status === "applied")).toBe(true);
    await expectError(await call("admin/rls/apply", await personalAccessToken(admin, ["users:admin"]), { method: "POST" }), 403, "forbidden");
  });

  it("GET is 405 with allow: POST", async () => {
    const res = await call("admin/rls/apply", admin.token);
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("USER_MGMT_RLS_ENFORCE", () => {
  const enforcement = (entry: Record<string, unknown>) => entry.event === "rls_enforce";
  /** One request with credentials makes the fresh isolate start its repair (an anonymous one would not); the secret key is enough. */
  const firstRequest = (fn: { url(path: string): string }) => fetch(fn.url("admin/users?page_size=1"), { headers: { apikey: stack.secretKey } });

  beforeAll(async () => {
    // The stack's own admin function repairs once, at its first request: make sure that
    // has happened, so only the processes started below act on what these tests drop.
    await call("admin/status/db", admin.token);
    const deadline = Date.now() + 20_000;
    while (!readFileSync(stack.functionLog, "utf8").split("\n").some((l) => l.startsWith("[admin]") && l.includes('"event":"rls_enforce"'))) {
      if (Date.now() > deadline) throw new Error("the stack's admin function never logged its rls_enforce summary");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("on: a registered table whose policy was dropped gets it back when an admin function starts, audited as the operator", async () => {
    await sql.unsafe(`drop policy ${selectPolicy} on public.${probe}`);
    const fn = await startExtraFunction("admin", { USER_MGMT_RLS_ENFORCE: "1" });
    expect((await firstRequest(fn)).status).toBe(200);
    const summary = await fn.waitForLog(enforcement);
    expect(summary).toMatchObject({ enabled: true, failed: [], missing: [] });
    expect(summary.repaired).toContainEqual({ table: `public.${probe}`, drift: [`policies missing: ${selectPolicy}`], policies_created: [selectPolicy] });
    expect(await policyExists(selectPolicy)).toBe(true);
    const [event] = await sql`
      select actor_type, actor_id from public.audit_events where action = 'rls.protect_table' and target_id = ${`public.${probe}`} order by id desc limit 1`;
    expect(event).toMatchObject({ actor_type: "operator", actor_id: null });
    await fn.stop();
  });

  it("off (USER_MGMT_RLS_ENFORCE=0): the dropped policy stays dropped", async () => {
    await sql.unsafe(`drop policy ${selectPolicy} on public.${probe}`);
    const fn = await startExtraFunction("admin", { USER_MGMT_RLS_ENFORCE: "0" });
    expect((await firstRequest(fn)).status).toBe(200);
    expect(await fn.waitForLog(enforcement)).toMatchObject({ enabled: false });
    expect(await policyExists(selectPolicy)).toBe(false);
    await fn.stop();
  });

  it("unset, it inherits USER_MGMT_ENFORCE: off when that is off", async () => {
    const fn = await startExtraFunction("admin", { USER_MGMT_ENFORCE: "no" });
    expect((await firstRequest(fn)).status).toBe(200);
    expect(await fn.waitForLog(enforcement)).toMatchObject({ enabled: false });
    expect(await policyExists(selectPolicy)).toBe(false);
    await fn.stop();
  });

  it("the first request is answered while the repair waits on a locked table, and the repair gives up without failing anything", async () => {
    const lock = await sql.reserve();
    try {
      await lock`begin`;
      await lock.unsafe(`lock table public.${probe} in access share mode`);
      const fn = await startExtraFunction("admin", { USER_MGMT_RLS_ENFORCE: "on" });
      const res = await firstRequest(fn);
      expect(res.status).toBe(200);
      // The request's own log line comes before the repair's summary: it did not wait for it.
      const debugId = res.headers.get("x-debug-id")!;
      const summary = await fn.waitForLog(enforcement);
      const order = fn.lines.map((l) => (l.includes(debugId) ? "request" : l.includes('"event":"rls_enforce"') ? "repair" : null)).filter(Boolean);
      expect(order).toEqual(["request", "repair"]);
      expect(summary).toMatchObject({ enabled: true, level: "warn" });
      expect(summary.failed).toEqual([{ table: `public.${probe}`, error: expect.stringMatching(/lock timeout/) }]);
      expect((await fetch(fn.url("admin/users?page_size=1"), { headers: { apikey: stack.secretKey } })).status).toBe(200);
      await fn.stop();
    } finally {
      await lock`rollback`;
      lock.release();
    }
    expect(await policyExists(selectPolicy)).toBe(false);
    await sql`select public.protect_table(${`public.${probe}`}::regclass, 'owner')`;
  });
});
