// /admin/users over HTTP (SPEC F14, issue 11), through the typed client: list and
// search, detail, create/invite, edit, disable/enable, delete, platform roles.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient, auditedFor, auth, personalAccessToken, platformUser, signedInUser, sql, uniqueWord, type TestCaller } from "../helpers/callers.ts";
import { functionUrl, uniqueEmail } from "../helpers/stack.ts";

let admin: TestCaller;
let plain: TestCaller;
let target: TestCaller;
const marker = `zq${Math.random().toString(36).slice(2, 7)}`;

beforeAll(async () => {
  admin = await platformUser("admin");
  plain = await signedInUser("plain");
  target = await signedInUser(`${marker}-target`);
});

describe("GET /admin/users", () => {
  it("an admin searches by a substring of the email, case-insensitively", async () => {
    const { data, response } = await adminClient(admin.token).GET("/admin/users", { params: { query: { q: marker.toUpperCase() } } });
    expect(response.status).toBe(200);
    expect(data!.users.map((u) => u.email)).toEqual([target.email]);
    expect(data!.users[0]).toMatchObject({ id: target.id, provider: "supabase", status: "active", organization_count: expect.any(Number) });
  });

  it("pages with opaque cursors: every matching user once, newest first", async () => {
    // Its own users, found by a word in their emails: other files create users while this pages.
    const word = uniqueWord("pages");
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await auth.signUp({ email: `${word}-${i}@example.test` })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const { data } = await adminClient(admin.token).GET("/admin/users", { params: { query: { q: word, page_size: 2, cursor } } });
      expect(data!.users.length).toBeLessThanOrEqual(2);
      seen.push(...data!.users.map((u) => u.id));
      if (!data!.next_cursor) break;
      cursor = data!.next_cursor;
    }
    expect(seen).toEqual([...created].reverse());
  });

  it("a forged cursor, or one issued for other filters, is a 400", async () => {
    const { data } = await adminClient(admin.token).GET("/admin/users", { params: { query: { page_size: 1 } } });
    const other = await adminClient(admin.token).GET("/admin/users", { params: { query: { page_size: 1, status: "disabled", cursor: data!.next_cursor! } } });
    expect(other.response.status).toBe(400);
    expect(other.error!.error.code).toBe("invalid_cursor");
    const forged = await adminClient(admin.token).GET("/admin/users", { params: { query: { cursor: "eyJpZCI6MX0.AAAAAAAAAAAAAAAAAAAAAA" } } });
    expect(forged.response.status).toBe(400);
  });

  it("a cursor issued to another caller is a 400", async () => {
    const other = await platformUser("admin", "other-admin");
    const { data } = await adminClient(admin.token).GET("/admin/users", { params: { query: { page_size: 1 } } });
    const res = await adminClient(other.token).GET("/admin/users", { params: { query: { page_size: 1, cursor: data!.next_cursor! } } });
    expect(res.response.status).toBe(400);
  });

  it("a user without users:admin gets 403, and the refusal is audited", async () => {
    const { error, response } = await adminClient(plain.token).GET("/admin/users");
    expect(response.status).toBe(403);
    expect(error!.error.debug_id).toBe(response.headers.get("x-debug-id"));
    expect(await auditedFor(response)).toEqual([{ action: "user.list", outcome: "denied", actor_id: plain.id }]);
  });

  it("without credentials it is a 401", async () => {
    expect((await adminClient().GET("/admin/users")).response.status).toBe(401);
  });

  it("a personal access token needs the users:admin scope", async () => {
    const narrow = await adminClient(await personalAccessToken(admin, ["audit:read"])).GET("/admin/users");
    expect(narrow.response.status).toBe(403);
    expect(narrow.error!.error.message).toMatch(/users:admin scope/);
    const scoped = await adminClient(await personalAccessToken(admin, ["users:admin"])).GET("/admin/users", { params: { query: { q: marker } } });
    expect(scoped.response.status).toBe(200);
  });

  it("invalid filters are a 422 naming every field", async () => {
    const { error, response } = await adminClient(admin.token).GET("/admin/users", {
      params: { query: { page_size: 0, status: "sleeping" as "active" } },
    });
    expect(response.status).toBe(422);
    expect(error!.error.fields!.map((f) => f.field).sort()).toEqual(["page_size", "status"]);
  });
});

describe("GET /admin/users/{id}", () => {
  it("answers the user in full", async () => {
    const { data, response } = await adminClient(admin.token).GET("/admin/users/{id}", { params: { path: { id: target.id } } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: "active", profile: { id: target.id }, auth: { email: target.email }, provisioning: { failure: null } });
    expect(data!.memberships.length).toBeGreaterThan(0);
  });

  it("an unknown user is a 404; a malformed id a 422 naming it", async () => {
    expect((await adminClient(admin.token).GET("/admin/users/{id}", { params: { path: { id: "00000000-0000-4000-8000-000000000000" } } })).response.status).toBe(404);
    const bad = await adminClient(admin.token).GET("/admin/users/{id}", { params: { path: { id: "42" } } });
    expect(bad.response.status).toBe(422);
    expect(bad.error!.error.field).toBe("id");
  });
});

describe("PATCH /admin/users/{id}", () => {
  it("changes editable fields and the plan, audited", async () => {
    const { data, response } = await adminClient(admin.token).PATCH("/admin/users/{id}", {
      params: { path: { id: target.id } },
      body: { display_name: "Target Person", plan: "pro" },
    });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ display_name: "Target Person", plan: "pro" });
    expect(await auditedFor(response)).toEqual([{ action: "user.update", outcome: "success", actor_id: admin.id }]);
  });

  it("protected fields are a 422 naming each", async () => {
    const { error, response } = await adminClient(admin.token).PATCH("/admin/users/{id}", {
      params: { path: { id: target.id } },
      body: { email: "x@evil.test", disabled_at: null } as never,
    });
    expect(response.status).toBe(422);
    expect(error!.error.fields!.map((f) => f.field).sort()).toEqual(["disabled_at", "email"]);
  });

  it("an unknown plan is a 422 naming plan", async () => {
    const { error, response } = await adminClient(admin.token).PATCH("/admin/users/{id}", { params: { path: { id: target.id } }, body: { plan: "platinum" } });
    expect(response.status).toBe(422);
    expect(error!.error.field).toBe("plan");
  });

  it("a plain user gets 403", async () => {
    const { response } = await adminClient(plain.token).PATCH("/admin/users/{id}", { params: { path: { id: target.id } }, body: { plan: "enterprise" } });
    expect(response.status).toBe(403);
  });
});

describe("platform roles", () => {
  it("PUT grants (source admin), DELETE revokes, both audited", async () => {
    const put = await adminClient(admin.token).PUT("/admin/users/{id}/roles/{role}", { params: { path: { id: target.id, role: "auditor" } } });
    expect(put.response.status).toBe(200);
    expect(put.data).toMatchObject({ role: "auditor", source: "admin" });
    const del = await adminClient(admin.token).DELETE("/admin/users/{id}/roles/{role}", { params: { path: { id: target.id, role: "auditor" } } });
    expect(del.response.status).toBe(200);
    expect([...(await auditedFor(put.response)), ...(await auditedFor(del.response))].map((e) => e.action)).toEqual(["platform_role.grant", "platform_role.revoke"]);
  });

  it("an unknown role is a 422; revoking one not held a 404; a plain user 403", async () => {
    expect((await adminClient(admin.token).PUT("/admin/users/{id}/roles/{role}", { params: { path: { id: target.id, role: "root" } } })).response.status).toBe(422);
    expect((await adminClient(admin.token).DELETE("/admin/users/{id}/roles/{role}", { params: { path: { id: target.id, role: "reader" } } })).response.status).toBe(404);
    expect((await adminClient(plain.token).PUT("/admin/users/{id}/roles/{role}", { params: { path: { id: plain.id, role: "admin" } } })).response.status).toBe(403);
  });
});

describe("POST /admin/users", () => {
  it("invites a user through Supabase Auth, into an organization with a role", async () => {
    const [org] = await sql`select id from public.organizations where created_by = ${admin.id} and is_personal`;
    const email = uniqueEmail("invited");
    const { data, response } = await adminClient(admin.token).POST("/admin/users", {
      body: { email, organization_id: org.id, role: "viewer", display_name: "Invited Person" },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ status: "active", auth: { email, email_confirmed_at: null } });
    expect(data!.auth!.invited_at).toBeTruthy();
    expect(data!.memberships).toEqual(expect.arrayContaining([expect.objectContaining({ organization_id: org.id, role: "viewer" })]));
    expect((await auditedFor(response)).map((e) => e.action)).toEqual(expect.arrayContaining(["user.create", "membership.add"]));
  });

  it("creates a confirmed user when invite is false", async () => {
    const email = uniqueEmail("created");
    const { data, response } = await adminClient(admin.token).POST("/admin/users", { body: { email, invite: false } });
    expect(response.status).toBe(201);
    expect(data!.auth!.email_confirmed_at).toBeTruthy();
    expect(data!.profile).toMatchObject({ email, email_verified: true });
  });

  it("an email in use is a 409 naming email", async () => {
    const { error, response } = await adminClient(admin.token).POST("/admin/users", { body: { email: target.email } });
    expect(response.status).toBe(409);
    expect(error!.error.field).toBe("email");
  });

  it("a plain user gets 403 and Supabase Auth is never asked", async () => {
    const email = uniqueEmail("never");
    const { response } = await adminClient(plain.token).POST("/admin/users", { body: { email } });
    expect(response.status).toBe(403);
    expect(await sql`select 1 from auth.users where email = ${email}`).toHaveLength(0);
  });

  it("into a full organization: 403 quota_exceeded, and Supabase Auth is never asked", async () => {
    const [org] = await sql`
      insert into public.organizations (slug, name, plan) values (${`full-${marker}`}, ${`Full ${marker}`}, 'solo') returning id`;
    await sql`insert into public.plan_limits (plan, limit_name, max_value) values ('solo', 'members_per_org', 0) on conflict do nothing`;
    const email = uniqueEmail("overflow");
    const { error, response } = await adminClient(admin.token).POST("/admin/users", { body: { email, invite: false, organization_id: org.id } });
    expect(response.status).toBe(403);
    expect(error!.error.code).toBe("quota_exceeded");
    expect(await sql`select 1 from auth.users where email = ${email}`).toHaveLength(0);
  });

  it("an invalid email is a 422 naming it", async () => {
    const { error, response } = await adminClient(admin.token).POST("/admin/users", { body: { email: "not-an-email" } });
    expect(response.status).toBe(422);
    expect(error!.error.field).toBe("email");
  });
});

describe("disable and enable", () => {
  it("a disabled user's very next request is refused, with their JWT and with their token", async () => {
    const victim = await signedInUser("victim");
    const pat = await personalAccessToken(victim, ["tokens:read"]);
    const disabled = await adminClient(admin.token).POST("/admin/users/{id}/disable", { params: { path: { id: victim.id } } });
    expect(disabled.response.status).toBe(200);
    expect(disabled.data).toMatchObject({ status: "disabled", sessions_revoked: 1 });
    const [banned] = await sql`select banned_until > now() + interval '10 years' as banned from auth.users where id = ${victim.id}`;
    expect(banned.banned).toBe(true);
    const viaJwt = await adminClient(victim.token).GET("/admin/users/{id}", { params: { path: { id: victim.id } } });
    expect(viaJwt.response.status).toBe(403);
    expect(viaJwt.error!.error.message).toBe("this account is disabled");
    const viaToken = await fetch(functionUrl("me/tokens"), { headers: { authorization: `Bearer ${pat}` } });
    expect(viaToken.status).toBe(401);
    await expect(auth.signIn(victim.id)).rejects.toThrow(/banned/i);

    const enabled = await adminClient(admin.token).POST("/admin/users/{id}/enable", { params: { path: { id: victim.id } } });
    expect(enabled.data).toMatchObject({ status: "active" });
    const [lifted] = await sql`select banned_until from auth.users where id = ${victim.id}`;
    expect(lifted.banned_until).toBeNull();
  });

  it("nobody disables themselves; a plain user cannot disable anyone", async () => {
    expect((await adminClient(admin.token).POST("/admin/users/{id}/disable", { params: { path: { id: admin.id } } })).response.status).toBe(403);
    expect((await adminClient(plain.token).POST("/admin/users/{id}/disable", { params: { path: { id: target.id } } })).response.status).toBe(403);
  });
});

describe("DELETE /admin/users/{id}", () => {
  it("deletes a Supabase Auth user through Auth; the profile cascades, the audit history stays", async () => {
    const doomed = await signedInUser("doomed");
    await adminClient(admin.token).PATCH("/admin/users/{id}", { params: { path: { id: doomed.id } }, body: { display_name: "Doomed" } });
    const { response } = await adminClient(admin.token).DELETE("/admin/users/{id}", { params: { path: { id: doomed.id } } });
    expect(response.status).toBe(200);
    expect(await sql`select 1 from auth.users where id = ${doomed.id}`).toHaveLength(0);
    expect(await sql`select 1 from public.profiles where id = ${doomed.id}`).toHaveLength(0);
    const events = await sql`select action from public.audit_events where target_id = ${doomed.id} order by id`;
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["user.update", "user.delete_requested", "user.delete"]));
  });

  it("a plain user gets 403; an unknown id 404", async () => {
    expect((await adminClient(plain.token).DELETE("/admin/users/{id}", { params: { path: { id: target.id } } })).response.status).toBe(403);
    expect((await adminClient(admin.token).DELETE("/admin/users/{id}", { params: { path: { id: "00000000-0000-4000-8000-000000000000" } } })).response.status).toBe(404);
  });
});
