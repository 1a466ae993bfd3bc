// GET /admin/audit, /admin/audit/verify, /admin/audit/export (issue 11; SPEC F13, F14):
// audit:read checked in SQL (organization admins see their organizations, platform
// auditors everything), filters and signed cursors, the chain verified, a time range
// exported as NDJSON page by page.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../client/index.ts";
import { connect, stack } from "../helpers/stack.ts";
import { type TestCaller, call, expectDeniedEvent, expectError, personalAccessToken, platformUser, signedInUser, uniqueWord } from "../helpers/callers.ts";

const sql = connect();

let auditor: TestCaller;
let orgAdmin: TestCaller;
let plain: TestCaller;
let orgA: string;
let orgB: string;
let action: string;
let exportAction: string;
/** The seeded events of `action`, newest first. */
let seeded: { id: number; organization_id: string; target_id: string; at: string }[];

const EXPORTED = 1_100; // more than two export pages of 500

beforeAll(async () => {
  auditor = await platformUser("auditor", "auditor");
  orgAdmin = await signedInUser("org-admin");
  plain = await signedInUser("plain", { organizations: false });
  orgA = randomUUID();
  orgB = randomUUID();
  await sql`insert into public.organizations (id, slug, name) values
    (${orgA}, ${`audit-a-${orgA.slice(0, 8)}`}, ${`Audit A ${orgA}`}), (${orgB}, ${`audit-b-${orgB.slice(0, 8)}`}, ${`Audit B ${orgB}`})`;
  await sql`insert into public.memberships (organization_id, user_id, role) values (${orgA}, ${orgAdmin.id}, 'admin')`;
  action = `${uniqueWord("auditapi")}.event`;
  exportAction = `${uniqueWord("auditexport")}.event`;
  // Five events in organization A, three in B, as the operator would write them.
  await sql`select private.audit(${action}, ${orgA}::uuid, 'widget', 'w' || n::text) from generate_series(1, 5) as n`;
  await sql`select private.audit(${action}, ${orgB}::uuid, 'gadget', 'g' || n::text) from generate_series(1, 3) as n`;
  // occurred_at to the microsecond (a JS Date would round it to milliseconds).
  seeded = await sql`
    select id::int, organization_id, target_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
    from public.audit_events where action = ${action} order by id desc`;
  await sql`select private.audit(${exportAction}, ${orgA}::uuid, 'row', n::text) from generate_series(1, ${EXPORTED}) as n`;
});

const list = (query: Record<string, string | number>, bearer = auditor.token) =>
  call(`admin/audit?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, bearer);

describe("GET /admin/audit", () => {
  it("a platform auditor reads events newest first, filtered by action, with their hash", async () => {
    const client = createAdminClient({ url: stack.url, token: auditor.token });
    const { data, response } = await client.GET("/admin/audit", { params: { query: { action } } });
    expect(response.status).toBe(200);
    expect(data!.events.map((e) => e.id)).toEqual(seeded.map((e) => e.id));
    expect(data!.events[0]).toMatchObject({ action, actor_type: "operator", outcome: "success" });
    expect(data!.events[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(data!.next_cursor).toBeNull();
  });

  it("filters by organization, target type and target id", async () => {
    const byOrg = await (await list({ action, org: orgB })).json();
    expect(byOrg.events.map((e: { id: number }) => e.id)).toEqual(seeded.filter((e) => e.organization_id === orgB).map((e) => e.id));
    const byTarget = await (await list({ action, target_type: "widget", target_id: "w3" })).json();
    expect(byTarget.events).toHaveLength(1);
    expect(byTarget.events[0]).toMatchObject({ target_type: "widget", target_id: "w3" });
  });

  it("filters by a time range: since inclusive, until exclusive", async () => {
    const [newest, , third] = seeded;
    const res = await list({ action, since: third.at, until: newest.at });
    const ids = (await res.json()).events.map((e: { id: number }) => e.id);
    expect(ids).toEqual(seeded.filter((e) => e.at >= third.at && e.at < newest.at).map((e) => e.id));
    expect(ids).toHaveLength(2);
  });

  it("a range is compared to the microsecond, as the database keeps it", async () => {
    const res = await list({ action, since: "2026-12-01T00:00:00.000001Z", until: "2026-12-01T00:00:00.000002+00:00" });
    expect(res.status).toBe(200);
    expect((await res.json()).events).toEqual([]);
  });

  it("filters by actor: a user's own refused attempts", async () => {
    const refused = await list({ action }, plain.token);
    expect(refused.status).toBe(403);
    const body = await (await list({ actor: plain.id, action: "audit.read" })).json();
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.every((e: { actor_id: string; outcome: string }) => e.actor_id === plain.id && e.outcome === "denied")).toBe(true);
  });

  it("pages with an opaque cursor until next_cursor is null, without gaps or repeats", async () => {
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string | number> = { action, page_size: 3 };
      if (cursor) query.cursor = cursor;
      const page = await (await list(query)).json();
      ids.push(...page.events.map((e: { id: number }) => e.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(seeded.map((e) => e.id));
  });

  it("a cursor is refused (400) with other filters, for another caller, or forged", async () => {
    const first = await (await list({ action, page_size: 2 })).json();
    expect(first.next_cursor).toEqual(expect.any(String));
    await expectError(await list({ action, org: orgA, page_size: 2, cursor: first.next_cursor }), 400, "invalid_cursor");
    const admin = await platformUser("auditor", "other-auditor");
    await expectError(await list({ action, page_size: 2, cursor: first.next_cursor }, admin.token), 400, "invalid_cursor");
    const [payload, signature] = first.next_cursor.split(".");
    const forged = `${Buffer.from(JSON.stringify(1)).toString("base64url")}.${signature}`;
    expect(forged).not.toBe(`${payload}.${signature}`);
    await expectError(await list({ action, page_size: 2, cursor: forged }), 400, "invalid_cursor");
    await expectError(await list({ action, cursor: "not-a-cursor" }), 400, "invalid_cursor");
  });

  it("an organization admin sees their organization's events only", async () => {
    const body = await (await list({ action }, orgAdmin.token)).json();
    expect(body.events.map((e: { id: number }) => e.id)).toEqual(seeded.filter((e) => e.organization_id === orgA).map((e) => e.id));
  });

  it("an organization admin asking for another organization gets 403, and the refusal is audited", async () => {
    const res = await list({ action, org: orgB }, orgAdmin.token);
    await expectError(res, 403, "forbidden");
    await expectDeniedEvent(res, "audit.read", orgAdmin.id);
  });

  it("a signed-in user without audit:read gets 403, and the refusal is audited", async () => {
    const res = await list({ action }, plain.token);
    expect((await expectError(res, 403, "forbidden")).message).toMatch(/audit:read/);
    await expectDeniedEvent(res, "audit.read", plain.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/audit"), 401, "unauthorized");
  });

  it("a personal access token with audit:read reads; one without it gets 403 naming the scope", async () => {
    const reads = await list({ action }, await personalAccessToken(auditor, ["audit:read"]));
    expect(reads.status).toBe(200);
    expect((await reads.json()).events).toHaveLength(seeded.length);
    const lacking = await list({ action }, await personalAccessToken(auditor, ["org:read"]));
    expect((await expectError(lacking, 403, "forbidden")).message).toMatch(/lacks the audit:read scope/);
  });

  it("the secret key reads every event", async () => {
    const res = await fetch(`${stack.url}/functions/v1/admin/audit?action=${action}`, { headers: { apikey: stack.secretKey } });
    expect(res.status).toBe(200);
    expect((await res.json()).events).toHaveLength(seeded.length);
  });

  it.each([
    ["actor", { actor: "42" }],
    ["action", { action: "Not An Action" }],
    ["org", { org: "acme" }],
    ["target_type", { target_type: "a\u0001b" }],
    ["target_id", { target_id: "x".repeat(501) }],
    ["since", { since: "yesterday" }],
    ["until", { since: "2026-12-02T00:00:00Z", until: "2026-12-01T00:00:00Z" }],
    ["until", { since: "2026-12-01T00:00:00.000002Z", until: "2026-12-01T00:00:00.000001Z" }],
    ["page_size", { page_size: 0 }],
    ["page_size", { page_size: 201 }],
    ["page_size", { page_size: "many" }],
    ["cursor", { cursor: "c".repeat(501) }],
    ["unknown", { unknown: "1" }],
  ])("invalid %s is a 422 naming the field", async (field, query) => {
    const error = await expectError(await list(query as Record<string, string>), 422, "invalid_input");
    expect(error.fields!.map((f) => f.field)).toContain(field);
  });

  it("every invalid field is named at once", async () => {
    const error = await expectError(await list({ actor: "x", org: "y", page_size: -1 }), 422, "invalid_input");
    expect(error.fields!.map((f) => f.field).sort()).toEqual(["actor", "org", "page_size"]);
  });

  it("other methods get 405 with allow", async () => {
    const res = await call("admin/audit", auditor.token, { method: "POST" });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET");
  });
});

describe("GET /admin/audit/verify", () => {
  it("a platform auditor verifies the chain and gets its head", async () => {
    const client = createAdminClient({ url: stack.url, token: auditor.token });
    const { data, response } = await client.GET("/admin/audit/verify");
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ ok: true, head: { id: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(data!.events_checked).toBeGreaterThan(EXPORTED);
  });

  it("a head exported earlier still verifies; a head with another hash is reported", async () => {
    const { head } = await (await call("admin/audit/verify", auditor.token)).json();
    const same = await (await call(`admin/audit/verify?expected_head_id=${head.id}&expected_head_hash=${head.hash}`, auditor.token)).json();
    expect(same.ok).toBe(true);
    const other = await (await call(`admin/audit/verify?expected_head_id=${head.id}&expected_head_hash=${"0".repeat(64)}`, auditor.token)).json();
    expect(other).toMatchObject({ ok: false, first_bad_event_id: head.id, reason: expect.stringMatching(/another hash/) });
  });

  it("an organization admin (audit:read in one organization only) gets 403, audited", async () => {
    const res = await call("admin/audit/verify", orgAdmin.token);
    await expectError(res, 403, "forbidden");
    await expectDeniedEvent(res, "audit.verify", orgAdmin.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/audit/verify"), 401, "unauthorized");
  });

  it("a token with audit:read verifies; one without gets 403", async () => {
    expect((await call("admin/audit/verify", await personalAccessToken(auditor, ["audit:read"]))).status).toBe(200);
    await expectError(await call("admin/audit/verify", await personalAccessToken(auditor, ["members:read"])), 403, "forbidden");
  });

  it.each([
    ["expected_head_hash", "expected_head_id=1&expected_head_hash=xyz"],
    ["expected_head_hash", "expected_head_id=1"],
    ["expected_head_id", `expected_head_id=-3&expected_head_hash=${"a".repeat(64)}`],
  ])("invalid %s is a 422 naming it", async (field, query) => {
    const error = await expectError(await call(`admin/audit/verify?${query}`, auditor.token), 422, "invalid_input");
    expect(error.fields!.map((f) => f.field)).toContain(field);
  });
});

describe("GET /admin/audit/export", () => {
  const exportOf = (query: string, bearer = auditor.token) => call(`admin/audit/export?${query}`, bearer);
  const lines = async (res: Response) => (await res.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));

  it("streams every matching event as NDJSON, newest first, across pages", async () => {
    const res = await exportOf(`action=${exportAction}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const events = await lines(res);
    expect(events).toHaveLength(EXPORTED);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(events.map((e) => e.target_id)).size).toBe(EXPORTED);
    expect(events[0]).toMatchObject({ action: exportAction, organization_id: orgA, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("exports a time range: since inclusive, until exclusive", async () => {
    const [newest, , third] = seeded;
    const res = await exportOf(`action=${action}&since=${third.at}&until=${newest.at}`);
    const ids = (await lines(res)).map((e) => e.id);
    expect(ids).toEqual(seeded.filter((e) => e.at >= third.at && e.at < newest.at).map((e) => e.id));
    expect(ids).toHaveLength(2);
  });

  it("an organization admin exports their organization's events only", async () => {
    const events = await lines(await exportOf(`action=${action}`, orgAdmin.token));
    expect(events.map((e) => e.id)).toEqual(seeded.filter((e) => e.organization_id === orgA).map((e) => e.id));
  });

  it("a user without audit:read gets a plain 403 before any line, audited", async () => {
    const res = await exportOf(`action=${action}`, plain.token);
    await expectError(res, 403, "forbidden");
    await expectDeniedEvent(res, "audit.read", plain.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/audit/export"), 401, "unauthorized");
  });

  it("a token with audit:read exports; one without gets 403", async () => {
    expect(await lines(await exportOf(`action=${action}`, await personalAccessToken(auditor, ["audit:read"])))).toHaveLength(seeded.length);
    await expectError(await exportOf(`action=${action}`, await personalAccessToken(auditor, ["org:read"])), 403, "forbidden");
  });

  it.each([
    ["since", "since=last-week"],
    ["until", "since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z"],
    ["page_size", "page_size=10"],
    ["org", "org=nope"],
  ])("invalid %s is a 422 naming it", async (field, query) => {
    const error = await expectError(await exportOf(query), 422, "invalid_input");
    expect(error.fields!.map((f) => f.field)).toContain(field);
  });
});
