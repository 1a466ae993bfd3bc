// Issue 10 item 17: a NUL character (\u0000) anywhere in a JSON body is a 400 naming the
// field (PostgreSQL text and jsonb cannot hold it), never a 500; and a caller who may not
// act still gets the audited refusal, because the permission check lives in SQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authService, connect, functionUrl, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let adminToken: string;
let adminId: string;
let userToken: string;
let userId: string;
let targetId: string;

beforeAll(async () => {
  const admin = await auth.signUp({ email: uniqueEmail("nul-admin") });
  await sql`insert into public.platform_role_assignments (user_id, role, source) values (${admin.id}, 'admin', 'admin')`;
  adminId = admin.id;
  adminToken = (await auth.signIn(admin.id)).accessToken;
  const user = await auth.tokenFor(uniqueEmail("nul-user"));
  userToken = user.accessToken;
  userId = user.user.id;
  targetId = (await auth.signUp({ email: uniqueEmail("nul-target") })).id;
});

afterAll(async () => {
  await sql`delete from public.platform_role_assignments where user_id = ${adminId}`;
});

// JSON.stringify writes U+0000 as the escape \u0000, as any client's JSON encoder does.
const send = (method: string, path: string, token: string, body: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const overrides = `admin/users/__TARGET__/role-overrides`;

describe("a NUL character in a JSON body", () => {
  it.each([
    ["a string in an array", overrides, "PUT", { preserved: ["reader\u0000"] }, "preserved.0"],
    ["a second array element", overrides, "PUT", { suppressed: ["reader", "aud\u0000itor"] }, "suppressed.1"],
    ["an object key", overrides, "PUT", { "pa\u0000used": true }, "pa\\u0000used"],
    ["a plain string field", "me/tokens", "POST", { name: "ci\u0000token", scopes: ["org:read"], expires_in_days: 1 }, "name"],
    ["a string in a scope list", "me/tokens", "POST", { name: "ci", scopes: ["org:read\u0000"], expires_in_days: 1 }, "scopes.0"],
  ])("in %s is a 422 naming the field", async (_label, path, method, body, field) => {
    const res = await send(method, path.replace("__TARGET__", targetId), adminToken, body);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "invalid_input", field, debug_id: res.headers.get("x-debug-id") });
    expect(error.message).toContain(`${field}: must not contain the NUL character`);
  });

  it("changes nothing for a caller who may act: the call is rolled back", async () => {
    const before = await sql`select * from public.role_overrides where user_id = ${targetId}`;
    const res = await send("PUT", overrides.replace("__TARGET__", targetId), adminToken, { paused: true, preserved: ["auditor\u0000"] });
    expect(res.status).toBe(422);
    expect(await sql`select * from public.role_overrides where user_id = ${targetId}`).toEqual(before);
    const [events] = await sql`
      select count(*)::int as n from public.audit_events where request_id = ${res.headers.get("x-debug-id")}`;
    expect(events.n).toBe(0);

    const token = await send("POST", "me/tokens", userToken, { name: "nul\u0000name", scopes: ["org:read"], expires_in_days: 1 });
    expect(token.status).toBe(422);
    const [tokens] = await sql`select count(*)::int as n from public.personal_access_tokens where user_id = (select id from public.profiles where auth_user_id = ${userId}) and name like 'nul%'`;
    expect(tokens.n).toBe(0);
  });

  it("from a user without users:admin is still the audited refusal (403), not an unaudited 422", async () => {
    const res = await send("PUT", overrides.replace("__TARGET__", targetId), userToken, { preserved: ["admin\u0000"] });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
    const [event] = await sql`
      select action, outcome, actor_id from public.audit_events where request_id = ${res.headers.get("x-debug-id")}`;
    expect(event).toMatchObject({ action: "role_overrides.set", outcome: "denied" });
    const [profile] = await sql`select id from public.profiles where auth_user_id = ${userId}`;
    expect(event.actor_id).toBe(profile.id);
  });

  it("a raw NUL byte (not escaped) is invalid JSON, a 400", async () => {
    const res = await send("PUT", overrides.replace("__TARGET__", targetId), adminToken, '{"preserved": ["a\u0000"]}');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
  });
});
