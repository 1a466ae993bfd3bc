// GET /admin/status/db (issue 11; SPEC F14): server version, migrations applied against
// those the functions ship (the generated functions/_shared/migrations.ts), extensions,
// the RLS summary. rls:manage, checked in SQL.
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../client/index.ts";
import { shippedMigrations } from "../../functions/_shared/migrations.ts";
import { migrationState } from "../../functions/health/migration-state.ts";
import { projectRoot } from "../../stack/settings.ts";
import { connect, stack } from "../helpers/stack.ts";
import { type TestCaller, call, expectDeniedEvent, expectError, personalAccessToken, platformUser } from "../helpers/callers.ts";

const sql = connect();
let admin: TestCaller;
let auditor: TestCaller;

beforeAll(async () => {
  admin = await platformUser("admin", "status-admin");
  auditor = await platformUser("auditor", "status-auditor");
});

describe("GET /admin/status/db", () => {
  it("reports the server version, current migrations, extensions and the RLS summary", async () => {
    const client = createAdminClient({ url: stack.url, token: admin.token });
    const { data, response } = await client.GET("/admin/status/db");
    expect(response.status).toBe(200);
    const [server] = await sql`select current_setting('server_version') as v, current_setting('server_version_num')::int as n`;
    expect(data).toMatchObject({ server_version: server.v, server_version_num: server.n });
    const applied = await sql`select count(*)::int as n from supabase_migrations.schema_migrations`;
    expect(data!.migrations).toEqual({
      current: true, shipped: shippedMigrations.length, applied: applied[0].n, missing: [], newer_applied: [],
      latest_shipped: shippedMigrations.at(-1)!.version, latest_applied: shippedMigrations.at(-1)!.version,
    });
    expect(data!.extensions).toContainEqual(expect.objectContaining({ name: "pgcrypto", schema: "extensions" }));
    expect(data!.rls).toMatchObject({ exposed_without_rls: expect.any(Number), protected: expect.any(Number) });
    expect(data!.rls.protected).toBeGreaterThanOrEqual(3);
  });

  it("the functions ship every migration in supabase/migrations (the generated list is current)", () => {
    const files = readdirSync(path.join(projectRoot, "supabase", "migrations")).filter((f) => f.endsWith(".sql")).sort();
    expect(shippedMigrations.map((m) => `${m.version}_${m.name}.sql`)).toEqual(files);
  });

  it("migrations shipped but not applied make the state not current, naming them; newer applied ones are listed", () => {
    const shipped = [{ version: "1", name: "one" }, { version: "2", name: "two" }, { version: "3", name: "three" }];
    expect(migrationState(["1", "3", "4"], shipped)).toEqual({
      current: false, shipped: 3, applied: 3, latest_shipped: "3", latest_applied: "4",
      missing: [{ version: "2", name: "two" }], newer_applied: ["4"],
    });
    expect(migrationState(["1", "2", "3"], shipped).current).toBe(true);
  });

  it("the secret key may read it", async () => {
    const res = await fetch(`${stack.url}/functions/v1/admin/status/db`, { headers: { apikey: stack.secretKey } });
    expect(res.status).toBe(200);
  });

  it("a user without rls:manage gets 403, and the refusal is audited", async () => {
    const res = await call("admin/status/db", auditor.token);
    expect((await expectError(res, 403, "forbidden")).message).toMatch(/rls:manage/);
    await expectDeniedEvent(res, "status.read", auditor.id);
  });

  it("no credentials get 401", async () => {
    await expectError(await call("admin/status/db"), 401, "unauthorized");
  });

  it("a token with rls:manage reads it; one without gets 403 naming the scope", async () => {
    expect((await call("admin/status/db", await personalAccessToken(admin, ["rls:manage"]))).status).toBe(200);
    const error = await expectError(await call("admin/status/db", await personalAccessToken(admin, ["users:admin"])), 403, "forbidden");
    expect(error.message).toMatch(/lacks the rls:manage scope/);
  });

  it("other methods get 405 with allow", async () => {
    const res = await call("admin/status/db", admin.token, { method: "DELETE" });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET");
  });

  it("an unknown status path is a 404", async () => {
    await expectError(await call("admin/status/nope", admin.token), 404, "not_found");
  });
});
