// POST /functions/v1/me/organizations and DELETE /me/organizations/{id} (issue 11, SPEC
// F4, F14): I create an organization (and own it) and leave one; a taken slug or name is
// a 409 naming the field, the last owner cannot leave (409), a token needs orgs:create /
// orgs:join, every change is audited.
import type postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { createMeClient } from "../../client/index.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();

interface User {
  id: string;
  jwt: string;
}

async function newUser(label: string): Promise<User> {
  const issued = await auth.tokenFor(uniqueEmail(label));
  return { id: issued.user.id, jwt: issued.accessToken };
}

const client = (token: string) => createMeClient({ url: stack.url, token });
const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

async function tokenWith(user: User, scopes: string[]): Promise<string> {
  const { data, response } = await client(user.jwt).POST("/me/tokens", { body: { name: unique("o"), scopes, expires_in_days: 1 } });
  expect(response.status).toBe(201);
  return data!.token;
}

/** Runs SQL as a signed-in user, as their supabase-js RPC calls would (PostgREST's role and claims). */
function asUser<T>(user: User, query: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user.id, role: "authenticated", aud: "authenticated", iss: auth.issuer })}, true),
                    set_config('role', 'authenticated', true)`;
    return query(tx);
  }) as Promise<T>;
}

/** An organization the user creates (and owns) through the RPC, not the endpoint under test. */
async function organizationOf(user: User, name: string, slug: string | null = null): Promise<{ id: string; slug: string; name: string }> {
  const [{ result }] = await asUser(user, (tx) => tx`select public.create_organization(${name}, ${slug}) as result`);
  return result;
}

async function auditEvent(action: string, res: Response) {
  const [event] = await sql`select actor_id, actor_type, organization_id, target_id, outcome from public.audit_events
                            where action = ${action} and request_id = ${res.headers.get("x-debug-id")}`;
  return event;
}

async function membershipOf(organizationId: string, userId: string): Promise<string | undefined> {
  const [row] = await sql`select role from public.memberships where organization_id = ${organizationId} and user_id = ${userId}`;
  return row?.role;
}

let creator: User;
let taken: { id: string; slug: string; name: string };

beforeAll(async () => {
  creator = await newUser("org-creator");
  const slug = unique("taken");
  taken = await organizationOf(creator, `Taken ${slug}`, slug);
});

describe("POST /me/organizations", () => {
  it("creates an organization I own, audited", async () => {
    const user = await newUser("org-new");
    const slug = unique("rocket");
    const { data, response } = await client(user.jwt).POST("/me/organizations", {
      body: { name: `Rocket Lab ${slug}`, slug: ` ${slug.toUpperCase()} `, description: "We build rockets" },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ slug, name: `Rocket Lab ${slug}`, description: "We build rockets", is_default: false, created_by: user.id });
    expect(await membershipOf(data!.id, user.id)).toBe("owner");
    expect(await auditEvent("organization.create", response)).toEqual({
      actor_id: user.id, actor_type: "user", organization_id: data!.id, target_id: data!.id, outcome: "success",
    });
    const me = await client(user.jwt).GET("/me");
    expect(me.data!.memberships).toContainEqual(expect.objectContaining({ organization_id: data!.id, role: "owner" }));
  });

  it("derives the slug from the name when it is left out", async () => {
    const name = `Blue Moon ${unique("x")}`;
    const { data, response } = await client(creator.jwt).POST("/me/organizations", { body: { name } });
    expect(response.status).toBe(201);
    expect(data!.slug).toBe(name.toLowerCase().replaceAll(" ", "-"));
  });

  it("a taken slug is a 409 naming slug, and nothing is created", async () => {
    const res = await call("POST", "me/organizations", creator.jwt, { name: unique("Other"), slug: taken.slug });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", field: "slug", message: `an organization with slug "${taken.slug}" already exists` });
  });

  it("a taken name (in any case) is a 409 naming name", async () => {
    const res = await call("POST", "me/organizations", creator.jwt, { name: taken.name.toUpperCase(), slug: unique("fresh") });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", field: "name" });
  });

  it("without credentials is 401", async () => {
    expect((await call("POST", "me/organizations", undefined, { name: "Anonymous" })).status).toBe(401);
  });

  it("a personal access token without orgs:create gets 403, the denial audited, nothing created", async () => {
    const name = unique("Scoped");
    const res = await call("POST", "me/organizations", await tokenWith(creator, ["org:read"]), { name });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this personal access token lacks the orgs:create scope");
    expect(await auditEvent("organization.create", res)).toMatchObject({ actor_id: creator.id, actor_type: "token", outcome: "denied" });
    const [{ n }] = await sql`select count(*)::int as n from public.organizations where name = ${name}`;
    expect(n).toBe(0);
  });

  it("a personal access token with orgs:create creates one", async () => {
    const res = await call("POST", "me/organizations", await tokenWith(creator, ["orgs:create"]), { name: unique("Token Org") });
    expect(res.status).toBe(201);
    expect(await membershipOf((await res.json()).id, creator.id)).toBe("owner");
  });

  it("the plan's organization quota applies: 403 quota_exceeded", async () => {
    const user = await newUser("org-quota");
    const [{ max }] = await sql`select max_value as max from public.plan_limits where plan = 'free' and limit_name = 'orgs_per_user'`;
    for (let i = 0; i < max; i++) expect((await call("POST", "me/organizations", user.jwt, { name: unique("Quota") })).status).toBe(201);
    const res = await call("POST", "me/organizations", user.jwt, { name: unique("Quota") });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("quota_exceeded");
  });

  it.each([
    ["no name", { slug: "no-name" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a name over 100 characters", { name: "x".repeat(101) }, "name"],
    ["a name of the wrong type", { name: 7 }, "name"],
    ["a slug that normalises to nothing", { name: unique("Fine"), slug: "!!!" }, "slug"],
    ["a slug over 48 characters", { name: unique("Fine"), slug: "a".repeat(49) }, "slug"],
    ["a slug of the wrong type", { name: unique("Fine"), slug: ["acme"] }, "slug"],
    ["a description over 1000 characters", { name: unique("Fine"), description: "x".repeat(1001) }, "description"],
    ["an unknown field", { name: unique("Fine"), plan: "enterprise" }, "plan"],
    ["a NUL in the name", { name: "Nul\u0000Org" }, "name"],
  ])("%s is 422 naming the field, nothing created", async (_label, body, field) => {
    const [{ before }] = await sql`select count(*)::int as before from public.organizations where created_by = ${creator.id}`;
    const res = await call("POST", "me/organizations", creator.jwt, body);
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ code: "invalid_input", field });
    const [{ after }] = await sql`select count(*)::int as after from public.organizations where created_by = ${creator.id}`;
    expect(after).toBe(before);
  });

  it("invalid JSON is 400", async () => {
    expect((await call("POST", "me/organizations", creator.jwt, "{name")).status).toBe(400);
  });

  it("a body over 64 KiB is 413, nothing created", async () => {
    const name = unique("Huge");
    const res = await call("POST", "me/organizations", creator.jwt, { name, description: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    const [{ n }] = await sql`select count(*)::int as n from public.organizations where name = ${name}`;
    expect(n).toBe(0);
  });
});

describe("DELETE /me/organizations/{id}", () => {
  let owner: User;
  let member: User;
  let org: { id: string };

  beforeAll(async () => {
    owner = await newUser("leave-owner");
    member = await newUser("leave-member");
    org = await organizationOf(owner, unique("Leavers"));
    await sql`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${member.id}, 'member')`;
  });

  it("a personal access token without orgs:join gets 403, the denial audited, still a member", async () => {
    const res = await call("DELETE", `me/organizations/${org.id}`, await tokenWith(member, ["org:read"]));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this personal access token lacks the orgs:join scope");
    expect(await auditEvent("membership.leave", res)).toMatchObject({ actor_id: member.id, actor_type: "token", outcome: "denied" });
    expect(await membershipOf(org.id, member.id)).toBe("member");
  });

  it("without credentials is 401", async () => {
    expect((await call("DELETE", `me/organizations/${org.id}`, undefined)).status).toBe(401);
  });

  it("an id that is not a UUID is 422 naming id", async () => {
    const res = await call("DELETE", "me/organizations/acme", member.jwt);
    expect(res.status).toBe(422);
    expect((await res.json()).error.field).toBe("id");
  });

  it("an organization I do not belong to is 404", async () => {
    const stranger = await newUser("leave-stranger");
    for (const id of [org.id, "00000000-0000-4000-8000-00000000dead"]) {
      const res = await call("DELETE", `me/organizations/${id}`, stranger.jwt);
      expect(res.status, id).toBe(404);
      expect((await res.json()).error.message).toBe("that user is not a member of this organization");
    }
  });

  it("the last owner cannot leave: 409, still the owner", async () => {
    const res = await call("DELETE", `me/organizations/${org.id}`, owner.jwt);
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", message: "the last owner cannot leave or be removed; transfer ownership first" });
    expect(await membershipOf(org.id, owner.id)).toBe("owner");
  });

  it("a member leaves, audited; /me no longer lists it", async () => {
    const { data, response } = await client(member.jwt).DELETE("/me/organizations/{id}", { params: { path: { id: org.id } } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ removed: true, organization_id: org.id, user_id: member.id });
    expect(await auditEvent("membership.leave", response)).toEqual({
      actor_id: member.id, actor_type: "user", organization_id: org.id, target_id: member.id, outcome: "success",
    });
    expect(await membershipOf(org.id, member.id)).toBeUndefined();
    const me = await client(member.jwt).GET("/me");
    expect(me.data!.memberships.map((m) => m.organization_id)).not.toContain(org.id);
  });

  it("leaving twice is 404", async () => {
    const res = await call("DELETE", `me/organizations/${org.id}`, member.jwt);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toBe("that user is not a member of this organization");
  });

  it("a personal access token with orgs:join leaves", async () => {
    const other = await newUser("leave-token");
    await sql`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${other.id}, 'viewer')`;
    const res = await call("DELETE", `me/organizations/${org.id}`, await tokenWith(other, ["orgs:join"]));
    expect(res.status).toBe(200);
    expect(await membershipOf(org.id, other.id)).toBeUndefined();
  });
});
