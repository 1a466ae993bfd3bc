// PATCH /functions/v1/me (issue 11, SPEC F3, F14): a user edits their own editable
// profile fields; protected fields are refused with 422 naming each of them; a personal
// access token needs profile:write; every change is audited. GET /me shows the result.
import { beforeAll, describe, expect, it } from "vitest";
import { createMeClient } from "../../client/index.ts";
import { PROTECTED_PROFILE_FIELDS } from "../../functions/me/profile.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let jwt: string;
let userId: string;
let email: string;

beforeAll(async () => {
  email = uniqueEmail("profile");
  const issued = await auth.tokenFor(email);
  jwt = issued.accessToken;
  userId = issued.user.id;
});

const client = (token: string) => createMeClient({ url: stack.url, token });
const patch = (token: string | undefined, body: unknown) =>
  fetch(functionUrl("me"), {
    method: "PATCH",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function tokenWith(scopes: string[]): Promise<string> {
  const { data, response } = await client(jwt).POST("/me/tokens", {
    body: { name: `p-${Math.random().toString(36).slice(2, 8)}`, scopes, expires_in_days: 1 },
  });
  expect(response.status).toBe(201);
  return data!.token;
}

async function profileRow() {
  const [row] = await sql`select display_name, avatar_url, company_name, timezone, onboarding_completed, plan, email, disabled_at
                          from public.profiles where id = ${userId}`;
  return row;
}

describe("PATCH /me edits my profile", () => {
  it("changes the editable fields and answers the updated profile", async () => {
    const { data, response } = await client(jwt).PATCH("/me", {
      body: { display_name: " Ada Lovelace ", company_name: "Analytical Engines", timezone: "Europe/London",
              avatar_url: "https://example.test/ada.png", onboarding_completed: true },
    });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ id: userId, email, display_name: "Ada Lovelace", company_name: "Analytical Engines",
                                 timezone: "Europe/London", avatar_url: "https://example.test/ada.png", onboarding_completed: true });
    expect(await profileRow()).toMatchObject({ display_name: "Ada Lovelace", timezone: "Europe/London", onboarding_completed: true });
  });

  it("GET /me shows the change", async () => {
    const { data } = await client(jwt).GET("/me");
    expect(data?.profile).toMatchObject({ display_name: "Ada Lovelace", company_name: "Analytical Engines" });
  });

  it("keeps the fields left out, and null clears a field", async () => {
    const { data, response } = await client(jwt).PATCH("/me", { body: { company_name: null } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ display_name: "Ada Lovelace", company_name: null, timezone: "Europe/London" });
  });

  it("is audited: actor, target, the request's debug id, and the named fields before and after", async () => {
    const res = await patch(jwt, { timezone: "Asia/Tokyo" });
    expect(res.status).toBe(200);
    const [event] = await sql`select actor_id, actor_type, target_type, target_id, before, after, outcome from public.audit_events
                              where action = 'user.update_self' and request_id = ${res.headers.get("x-debug-id")}`;
    expect(event).toEqual({ actor_id: userId, actor_type: "user", target_type: "user", target_id: userId,
                            before: { timezone: "Europe/London" }, after: { timezone: "Asia/Tokyo" }, outcome: "success" });
  });

  it("without credentials is 401", async () => {
    const res = await patch(undefined, { display_name: "Nobody" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.debug_id).toBe(res.headers.get("x-debug-id"));
  });

  it("a personal access token without profile:write gets 403, the denial audited, nothing changed", async () => {
    const res = await patch(await tokenWith(["org:read"]), { display_name: "Token" });
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "forbidden", message: "this personal access token lacks the profile:write scope" });
    const [event] = await sql`select actor_id, actor_type, outcome from public.audit_events
                              where action = 'user.update_self' and request_id = ${res.headers.get("x-debug-id")}`;
    expect(event).toEqual({ actor_id: userId, actor_type: "token", outcome: "denied" });
    expect((await profileRow()).display_name).toBe("Ada Lovelace");
  });

  it("a personal access token with profile:write edits the profile", async () => {
    const res = await patch(await tokenWith(["profile:write"]), { display_name: "Ada (token)" });
    expect(res.status).toBe(200);
    expect((await res.json()).display_name).toBe("Ada (token)");
    const [event] = await sql`select actor_type from public.audit_events where action = 'user.update_self' and request_id = ${res.headers.get("x-debug-id")}`;
    expect(event.actor_type).toBe("token");
  });

  it("a disabled user is refused (403)", async () => {
    const other = await auth.tokenFor(uniqueEmail("profile-disabled"));
    await sql`update public.profiles set disabled_at = now() where id = ${other.user.id}`;
    const res = await patch(other.accessToken, { display_name: "Still here" });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this account is disabled");
  });
});

describe("PATCH /me refuses what I may not set, naming each field", () => {
  const protectedFields = Object.keys(PROTECTED_PROFILE_FIELDS);
  const sample: Record<string, unknown> = {
    id: "00000000-0000-4000-8000-000000000000", auth_user_id: "00000000-0000-4000-8000-000000000000", identity_provider: "https://evil.test",
    identity_sub: "someone-else", email: "boss@example.test", email_verified: true, plan: "enterprise", disabled_at: null,
    beta_features: { everything: true }, last_login_at: "2026-01-01T00:00:00Z", provisioned_at: null, created_at: "2020-01-01T00:00:00Z",
    updated_at: "2020-01-01T00:00:00Z",
  };

  it("the protected fields are exactly the profile columns a user holds no UPDATE on", async () => {
    const rows = await sql`select column_name from information_schema.columns c
                           where c.table_schema = 'public' and c.table_name = 'profiles'
                             and not exists (select 1 from information_schema.column_privileges p
                                             where p.table_schema = 'public' and p.table_name = 'profiles' and p.column_name = c.column_name
                                               and p.grantee = 'authenticated' and p.privilege_type = 'UPDATE')`;
    expect(protectedFields.sort()).toEqual(rows.map((r) => r.column_name).sort());
  });

  it.each(protectedFields)("%s is protected: 422 naming it, nothing changed", async (field) => {
    const before = await profileRow();
    const res = await patch(jwt, { display_name: "Changed anyway?", [field]: sample[field] });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_input");
    expect(error.fields).toEqual([{ field, message: expect.stringMatching(/^is protected: /) }]);
    expect(await profileRow()).toEqual(before);
  });

  it("several protected fields at once: every one is named", async () => {
    const res = await patch(jwt, { plan: "enterprise", email: "boss@example.test", disabled_at: null, display_name: 7 });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["disabled_at", "display_name", "email", "plan"]);
    expect(error.message).toContain("plan: is protected: only an administrator changes it");
  });

  it("the RPC supabase-js calls refuses them the same way, naming them", async () => {
    const error = await sql
      .begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated", iss: auth.issuer })}, true),
                        set_config('role', 'authenticated', true)`;
        return tx`select public.update_my_profile('{"plan": "enterprise", "email": "boss@example.test"}')`;
      })
      .catch((e) => e);
    expect(error).toMatchObject({ code: "22023", column_name: "email" });
    expect(error.message).toMatch(/^email, plan: protected/);
    expect((await profileRow()).plan).toBe("free");
  });

  it.each([
    ["an unknown field", { nickname: "Ada" }, "nickname", /not a field you may set/],
    ["no field at all", {}, "body", /at least one field/],
    ["a display name of the wrong type", { display_name: 42 }, "display_name", /expected string/],
    ["a display name over 200 characters", { display_name: "x".repeat(201) }, "display_name", /200/],
    ["a bidi override in the display name", { display_name: "Ad\u202Ea" }, "display_name", /bidi/],
    ["a zero-width space in the company name", { company_name: "Acme\u200B" }, "company_name", /zero-width/],
    ["a company name of the wrong type", { company_name: ["Acme"] }, "company_name", /expected string/],
    ["an avatar URL that is not http(s)", { avatar_url: "javascript:alert(1)" }, "avatar_url", /http/],
    ["an avatar URL of the wrong type", { avatar_url: 1 }, "avatar_url", /expected string/],
    ["an unknown time zone", { timezone: "Mars/Olympus_Mons" }, "timezone", /not a known time zone/],
    ["a time zone over 64 characters", { timezone: "x".repeat(65) }, "timezone", /64/],
    ["onboarding_completed that is not a boolean", { onboarding_completed: "yes" }, "onboarding_completed", /expected boolean/],
    ["onboarding_completed null", { onboarding_completed: null }, "onboarding_completed", /expected boolean/],
    ["a NUL in the display name", { display_name: "Ada\u0000" }, "display_name", /NUL/],
  ])("%s is 422 naming the field, nothing changed", async (_label, body, field, message) => {
    const before = await profileRow();
    const res = await patch(jwt, body);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "invalid_input", field });
    expect(error.message).toMatch(message);
    expect(await profileRow()).toEqual(before);
  });

  it("invalid JSON is 400", async () => {
    const res = await patch(jwt, "{nope");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
  });

  it("a body over 64 KiB is 413, nothing changed", async () => {
    const before = await profileRow();
    const res = await patch(jwt, { display_name: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    expect(await profileRow()).toEqual(before);
  });

  it("a body that is not an object is 422", async () => {
    const res = await patch(jwt, "[]");
    expect(res.status).toBe(422);
  });
});
