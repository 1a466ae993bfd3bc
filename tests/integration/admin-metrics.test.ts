// GET /admin/metrics (issue 11; SPEC F16): Prometheus text exposition computed from the
// database, for users:admin or the METRICS_TOKEN bearer; audit counters from the
// incremental rollup, each event counted once even when scrapes run concurrently.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/stack.ts";
import { type TestCaller, call, expectDeniedEvent, expectError, personalAccessToken, platformUser, uniqueWord } from "../helpers/callers.ts";
import { startExtraFunction, type ExtraFunction } from "../helpers/function-process.ts";

const sql = connect();
let admin: TestCaller;
let auditor: TestCaller;
const provider = `https://metrics-${randomUUID().slice(0, 8)}.example.test`;
const action = `${uniqueWord("metricstest")}.event`;

beforeAll(async () => {
  admin = await platformUser("admin", "metrics-admin");
  auditor = await platformUser("auditor", "metrics-auditor");
  // Users of a provider of their own: two active (one signed in an hour ago, one two days ago), one disabled, one never provisioned.
  await sql`
    insert into public.profiles (identity_provider, identity_sub, email, last_login_at, disabled_at, provisioned_at) values
      (${provider}, 'recent', 'recent@example.test', now() - interval '1 hour', null, now()),
      (${provider}, 'stale', 'stale@example.test', now() - interval '2 days', null, now()),
      (${provider}, 'disabled', 'disabled@example.test', now() - interval '3 hours', now(), now()),
      (${provider}, 'half', 'half@example.test', null, null, null)`;
  // The user gauges are recomputed on every scrape while these tests run (they are kept 30 s by default).
  await sql`update private.metrics_gauges set max_age = interval '0'`;
  await sql`select private.audit(${action}, null) from generate_series(1, 4)`;
  await sql`select private.audit(${action}, null, 'thing', 'x', '{}', 'denied') from generate_series(1, 2)`;
});

afterAll(async () => {
  await sql`delete from public.profiles where identity_provider = ${provider}`;
  await sql`update private.metrics_gauges set max_age = interval '30 seconds'`;
});

/** `name{labels}` → value, for every sample line of an exposition. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const scrape = async (bearer = admin.token) => {
  const res = await call("admin/metrics", bearer);
  expect(res.status).toBe(200);
  return samples(await res.text());
};

describe("GET /admin/metrics", () => {
  it("answers the Prometheus text format, every metric with HELP and TYPE", async () => {
    const res = await call("admin/metrics", admin.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    for (const [name, type] of [
      ["tenantry_users", "gauge"], ["tenantry_sign_ins_24h", "gauge"], ["tenantry_users_age_seconds", "gauge"], ["tenantry_provisioning_failures", "gauge"],
      ["tenantry_personal_access_tokens_active", "gauge"], ["tenantry_invitations_pending", "gauge"],
      ["tenantry_audit_events_total", "counter"], ["tenantry_denials_total", "counter"],
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
    for (const line of text.trimEnd().split("\n").filter((l) => !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_][a-z0-9_]*(\{[a-z_]+="(?:[^"\\]|\\.)*"(,[a-z_]+="(?:[^"\\]|\\.)*")*\})? -?[0-9.e+-]+$/);
    }
  });

  it("counts users by provider and status, and sign-ins in the last 24 hours", async () => {
    const m = await scrape();
    expect(m.get(`tenantry_users{provider="${provider}",status="active"}`)).toBe(2);
    expect(m.get(`tenantry_users{provider="${provider}",status="disabled"}`)).toBe(1);
    expect(m.get(`tenantry_users{provider="${provider}",status="unprovisioned"}`)).toBe(1);
    expect(m.get(`tenantry_sign_ins_24h{provider="${provider}"}`)).toBe(2);
  });

  it("counts audit events by action and outcome, and denials by action", async () => {
    const m = await scrape();
    expect(m.get(`tenantry_audit_events_total{action="${action}",outcome="success"}`)).toBe(4);
    expect(m.get(`tenantry_audit_events_total{action="${action}",outcome="denied"}`)).toBe(2);
    expect(m.get(`tenantry_denials_total{action="${action}"}`)).toBe(2);
  });

  it("counts active tokens and pending invitations as the database holds them", async () => {
    await personalAccessToken(admin, ["audit:read"]);
    const m = await scrape();
    const [db] = await sql`
      select (select count(*)::int from public.personal_access_tokens where revoked_at is null and expires_at > now()) as tokens,
             (select count(*)::int from private.provisioning_failures) as failures`;
    // Other tests create tokens meanwhile: at least what the database had just before, and at least one.
    expect(m.get("tenantry_personal_access_tokens_active")).toBeGreaterThanOrEqual(1);
    expect(m.get("tenantry_personal_access_tokens_active")).toBeLessThanOrEqual(db.tokens);
    expect(m.get("tenantry_provisioning_failures")).toBeLessThanOrEqual(db.failures);
    expect(m.has("tenantry_invitations_pending")).toBe(true);
  });

  it("counters only grow, and concurrent scrapes queue on the rollup's watermark, counting each new event exactly once", async () => {
    const key = `tenantry_audit_events_total{action="${action}",outcome="success"}`;
    const before = (await scrape()).get(key)!;
    await sql`select private.audit(${action}, null) from generate_series(1, 100)`;
    // Hold the watermark row, so the scrapes are all in the database at once when it is released.
    const lock = await sql.reserve();
    let scrapes: Promise<Map<string, number>[]>;
    try {
      await lock`begin`;
      await lock`select last_id from private.audit_rollup_state for update`;
      scrapes = Promise.all(Array.from({ length: 4 }, () => scrape()));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [row] = await sql`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%public.metrics()%' and pid <> pg_backend_pid()`;
        if (row.n >= 2) break;
        if (Date.now() > deadline) throw new Error("the scrapes never waited on the watermark");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await lock`rollback`;
      lock.release();
    }
    for (const m of await scrapes) expect(m.get(key)).toBe(before + 100);
    expect((await scrape()).get(key)).toBe(before + 100);
    const [row] = await sql`select count(*)::int as n from public.audit_events where action = ${action} and outcome = 'success'`;
    expect(before + 100).toBe(row.n);
  });

  it("a user without users:admin gets 403, and the refusal is audited", async () => {
    const res = await call("admin/metrics", auditor.token);
    expect((await expectError(res, 403, "forbidden")).message).toMatch(/users:admin/);
    await expectDeniedEvent(res, "metrics.read", auditor.id);
  });

  it("no credentials get 401; without METRICS_TOKEN configured, no bearer secret is taken for one", async () => {
    await expectError(await call("admin/metrics"), 401, "unauthorized");
    await expectError(await call("admin/metrics", "some-shared-secret"), 401, "unauthorized");
  });

  it("a token with users:admin scrapes; one without gets 403 naming the scope", async () => {
    expect((await call("admin/metrics", await personalAccessToken(admin, ["users:admin"]))).status).toBe(200);
    const error = await expectError(await call("admin/metrics", await personalAccessToken(admin, ["audit:read"])), 403, "forbidden");
    expect(error.message).toMatch(/lacks the users:admin scope/);
  });

  it("other methods get 405 with allow", async () => {
    const res = await call("admin/metrics", admin.token, { method: "POST" });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET");
  });
});

describe("METRICS_TOKEN", () => {
  const secret = `metrics-${randomUUID()}`;
  let fn: ExtraFunction;

  beforeAll(async () => {
    fn = await startExtraFunction("admin", { METRICS_TOKEN: secret, USER_MGMT_RLS_ENFORCE: "0" });
  });

  const scrapeWith = (bearer: string, path = "admin/metrics") => fetch(fn.url(path), { headers: { authorization: `Bearer ${bearer}` } });

  it("a scraper with the metrics token reads the metrics (run as the service role), without a denial", async () => {
    const res = await scrapeWith(secret);
    expect(res.status).toBe(200);
    const m = samples(await res.text());
    expect(m.get(`tenantry_audit_events_total{action="${action}",outcome="denied"}`)).toBe(2);
    const [row] = await sql`select count(*)::int as n from public.audit_events where request_id = ${res.headers.get("x-debug-id")!}`;
    expect(row.n).toBe(0);
  });

  it("another bearer is no metrics token: 401", async () => {
    await expectError(await scrapeWith(`${secret}x`), 401, "unauthorized");
  });

  it("the metrics token opens no other admin route: 401", async () => {
    const error = await expectError(await scrapeWith(secret, "admin/rls"), 401, "unauthorized");
    expect(error.message).toMatch(/metrics only/);
  });

  it("users:admin still scrapes where a metrics token is configured", async () => {
    expect((await scrapeWith(admin.token)).status).toBe(200);
  });
});
