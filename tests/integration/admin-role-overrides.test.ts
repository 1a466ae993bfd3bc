// GET/PUT/DELETE /functions/v1/admin/users/{id}/role-overrides (SPEC F8, F14):
// users:admin only, validated input, errors with debug id, every change audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let adminToken: string;
let adminId: string;
let userToken: string;
let targetId: string;

beforeAll(async () => {
  const admin = await auth.signUp({ email: uniqueEmail("platform-admin") });
  await sql`insert into public.platform_role_assignments (user_id, role, source) values (${admin.id}, 'admin', 'admin')`;
  adminId = admin.id;
  adminToken = (await auth.signIn(admin.id)).accessToken;
  const user = await auth.tokenFor(uniqueEmail("plain-user"));
  userToken = user.accessToken;
  targetId = (await auth.signUp({ email: uniqueEmail("target") })).id;
});

afterAll(async () => {
  await sql`delete from public.platform_role_assignments where user_id = ${adminId}`;
});

const url = (id: string) => functionUrl(`admin/users/${id}/role-overrides`);
const call = (method: string, token: string, id = targetId, body?: unknown) =>
  fetch(url(id), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

describe("role overrides API", () => {
  it("GET answers the empty overrides for a user who has none", async () => {
    const res = await call("GET", adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: targetId, paused: false, preserved: [], suppressed: [] });
  });

  it("PUT stores normalised overrides and audits the change with its actor", async () => {
    const res = await call("PUT", adminToken, targetId, { paused: true, preserved: [" Auditor ", "auditor"], suppressed: ["READER"] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ paused: true, preserved: ["auditor"], suppressed: ["reader"] });
    const [event] = await sql`select actor_id, before, after, request_id, host(ip) as ip, user_agent from public.audit_events where action = 'role_overrides.set' and target_id = ${targetId} order by id desc limit 1`;
    expect(event.actor_id).toBe(adminId);
    expect(event.request_id).toBe(res.headers.get("x-debug-id"));
    expect(event.ip).toBe("127.0.0.1");
    expect(event.user_agent).toBeTruthy();
    expect(event.before).toMatchObject({ paused: false });
    expect(event.after).toMatchObject({ paused: true });
  });

  it("DELETE clears them, audited", async () => {
    const res = await call("DELETE", adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ paused: false, preserved: [], suppressed: [] });
    const [row] = await sql`select count(*)::int as n from public.audit_events where action = 'role_overrides.clear' and target_id = ${targetId}`;
    expect(row.n).toBe(1);
  });

  it("the secret key may manage overrides too", async () => {
    const res = await fetch(url(targetId), { headers: { apikey: stack.secretKey } });
    expect(res.status).toBe(200);
  });

  it("a user without users:admin gets 403, and the attempt is audited", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await call(method, userToken, targetId, method === "PUT" ? { paused: true } : undefined);
      expect(res.status, method).toBe(403);
      const body = await res.json();
      expect(body.error.code).toBe("forbidden");
      expect(body.error.debug_id).toBe(res.headers.get("x-debug-id"));
    }
    const [row] = await sql`select count(*)::int as n from public.audit_events where outcome = 'denied' and action like 'role_overrides.%' and target_id = ${targetId}`;
    expect(row.n).toBe(3);
  });

  it("no credentials get 401", async () => {
    expect((await fetch(url(targetId))).status).toBe(401);
  });

  it.each([
    ["a role both preserved and suppressed", { preserved: ["reader"], suppressed: ["reader"] }, 422, "preserved"],
    ["an unknown role", { suppressed: ["root"] }, 422, "suppressed"],
    ["an unknown field", { enabled: true }, 422, "enabled"],
    ["a wrong type", { paused: "yes" }, 422, "paused"],
    ["invalid JSON", "{nope", 400, "JSON"],
  ])("PUT with %s is rejected, naming what was wrong", async (_label, body, status, mentioned) => {
    const res = await call("PUT", adminToken, targetId, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error.message).toContain(mentioned);
  });

  it("an id that is not a UUID is a 422 naming the field", async () => {
    const res = await call("GET", adminToken, "42");
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ field: "id" });
  });

  it("an unknown user is a 404", async () => {
    const res = await call("GET", adminToken, "00000000-0000-4000-8000-00000000dead");
    expect(res.status).toBe(404);
  });

  it("a body over 64 KB is refused with 413", async () => {
    const res = await call("PUT", adminToken, targetId, { preserved: ["x".repeat(70_000)] });
    expect(res.status).toBe(413);
  });
});
