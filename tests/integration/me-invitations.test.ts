// GET /functions/v1/me/invitations and POST /me/invitations/accept (issue 11, SPEC F4,
// F14): the invitations sent to my verified email (never a token or its hash), and
// accepting one: single use, bound to the verified address, orgs:join for a token.
import type postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { createMeClient } from "../../client/index.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();

interface User {
  id: string;
  email: string;
  jwt: string;
}

async function newUser(label: string): Promise<User> {
  const email = uniqueEmail(label);
  const issued = await auth.tokenFor(email);
  return { id: issued.user.id, email, jwt: issued.accessToken };
}

const client = (token: string) => createMeClient({ url: stack.url, token });
const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

async function tokenWith(user: User, scopes: string[]): Promise<string> {
  const { data, response } = await client(user.jwt).POST("/me/tokens", {
    body: { name: `i-${Math.random().toString(36).slice(2, 8)}`, scopes, expires_in_days: 1 },
  });
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

async function newOrganization(owner: User, label: string): Promise<{ id: string; slug: string; name: string }> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [{ result }] = await asUser(owner, (tx) => tx`select public.create_organization(${`${label} ${suffix}`}, ${`${label}-${suffix}`}) as result`);
  return result;
}

/** create_invitation as the inviter (what an org admin's supabase-js call does); the token comes back once. */
async function invite(inviter: User, organizationId: string, email: string, role = "member"): Promise<{ id: string; token: string }> {
  const [{ result }] = await asUser(inviter, (tx) => tx`select public.create_invitation(${organizationId}::uuid, ${email}, ${role}) as result`);
  expect(result.token).toMatch(/^[0-9a-f]{64}$/);
  return { id: result.id, token: result.token };
}

async function deniedEvent(action: string, res: Response) {
  const [event] = await sql`select actor_id, actor_type, outcome from public.audit_events where action = ${action} and request_id = ${res.headers.get("x-debug-id")}`;
  return event;
}

let owner: User;
let invitee: User;
let org: { id: string; slug: string; name: string };
let invitation: { id: string; token: string };

beforeAll(async () => {
  owner = await newUser("inviter");
  await sql`update public.profiles set display_name = 'Olivia Owner' where id = ${owner.id}`;
  invitee = await newUser("invitee");
  org = await newOrganization(owner, "Invites");
  invitation = await invite(owner, org.id, invitee.email.toUpperCase(), "admin");
});

describe("GET /me/invitations", () => {
  it("lists the pending invitations sent to my verified email: organization, role, inviter, expiry", async () => {
    const { data, response } = await client(invitee.jwt).GET("/me/invitations");
    expect(response.status).toBe(200);
    expect(data!.email).toBe(invitee.email);
    expect(data!.invitations).toEqual([
      {
        id: invitation.id,
        organization: { id: org.id, slug: org.slug, name: org.name },
        role: "admin",
        invited_by: { id: owner.id, display_name: "Olivia Owner", email: owner.email },
        created_at: expect.any(String),
        expires_at: expect.any(String),
      },
    ]);
    expect(Date.parse(data!.invitations[0].expires_at)).toBeGreaterThan(Date.now());
  });

  it("never shows the token or its hash", async () => {
    const res = await call("GET", "me/invitations", invitee.jwt);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(invitation.token);
    const [{ hash }] = await sql`select encode(token_hash, 'hex') as hash from public.invitations where id = ${invitation.id}`;
    expect(text).not.toContain(hash);
    expect(text).not.toMatch(/token/);
  });

  it("an unverified email matches nothing", async () => {
    const unverified = await newUser("unverified");
    await invite(owner, org.id, unverified.email);
    await sql`update public.profiles set email_verified = false where id = ${unverified.id}`;
    const { data, response } = await client(unverified.jwt).GET("/me/invitations");
    expect(response.status).toBe(200);
    expect(data).toEqual({ email: null, invitations: [] });
  });

  it("other people's invitations are not mine", async () => {
    const { data } = await client(owner.jwt).GET("/me/invitations");
    expect(data!.invitations).toEqual([]);
  });

  it("without credentials is 401", async () => {
    expect((await call("GET", "me/invitations", undefined)).status).toBe(401);
  });

  it("a personal access token without orgs:join gets 403, the denial audited", async () => {
    const res = await call("GET", "me/invitations", await tokenWith(invitee, ["org:read"]));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this personal access token lacks the orgs:join scope");
    expect(await deniedEvent("invitation.list_mine", res)).toEqual({ actor_id: invitee.id, actor_type: "token", outcome: "denied" });
  });

  it("a personal access token with orgs:join lists them", async () => {
    const res = await call("GET", "me/invitations", await tokenWith(invitee, ["orgs:join"]));
    expect(res.status).toBe(200);
    expect((await res.json()).invitations.map((i: { id: string }) => i.id)).toEqual([invitation.id]);
  });
});

describe("POST /me/invitations/accept", () => {
  it("someone else's invitation is refused with 403, the denial audited, nothing changed", async () => {
    const stranger = await newUser("stranger");
    const res = await call("POST", "me/invitations/accept", stranger.jwt, { token: invitation.token });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this invitation was sent to another (verified) email address");
    expect(await deniedEvent("invitation.accept", res)).toEqual({ actor_id: stranger.id, actor_type: "user", outcome: "denied" });
    const [{ n }] = await sql`select count(*)::int as n from public.memberships where organization_id = ${org.id} and user_id = ${stranger.id}`;
    expect(n).toBe(0);
  });

  it("a personal access token without orgs:join gets 403, the denial audited", async () => {
    const res = await call("POST", "me/invitations/accept", await tokenWith(invitee, ["org:read"]), { token: invitation.token });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this personal access token lacks the orgs:join scope");
    expect(await deniedEvent("invitation.accept", res)).toEqual({ actor_id: invitee.id, actor_type: "token", outcome: "denied" });
  });

  it("without credentials is 401", async () => {
    expect((await call("POST", "me/invitations/accept", undefined, { token: invitation.token })).status).toBe(401);
  });

  it.each([
    ["no token", {}, "token"],
    ["a token of the wrong type", { token: 42 }, "token"],
    ["a token that is not one", { token: "let-me-in" }, "token"],
    ["an upper-case token", { token: "A".repeat(64) }, "token"],
    ["an unknown field", { token: "a".repeat(64), role: "owner" }, "role"],
  ])("%s is 422 naming the field", async (_label, body, field) => {
    const res = await call("POST", "me/invitations/accept", invitee.jwt, body);
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it("invalid JSON is 400", async () => {
    expect((await call("POST", "me/invitations/accept", invitee.jwt, "{")).status).toBe(400);
  });

  it("a body over 64 KiB is 413", async () => {
    expect((await call("POST", "me/invitations/accept", invitee.jwt, { token: "a".repeat(70_000) })).status).toBe(413);
  });

  it("an unknown token is refused (403, audited), the same answer as an expired or used one", async () => {
    const res = await call("POST", "me/invitations/accept", invitee.jwt, { token: "0".repeat(64) });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this invitation is invalid, expired or already used");
    expect(await deniedEvent("invitation.accept", res)).toMatchObject({ actor_id: invitee.id, outcome: "denied" });
  });

  it("accepts my invitation: the membership with its role, audited; it is no longer pending", async () => {
    const { data, response } = await client(invitee.jwt).POST("/me/invitations/accept", { body: { token: invitation.token } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ organization_id: org.id, user_id: invitee.id, role: "admin" });
    const [event] = await sql`select actor_id, target_id, outcome from public.audit_events
                              where action = 'invitation.accept' and request_id = ${response.headers.get("x-debug-id")}`;
    expect(event).toEqual({ actor_id: invitee.id, target_id: invitation.id, outcome: "success" });
    const me = await client(invitee.jwt).GET("/me");
    expect(me.data!.memberships).toContainEqual(expect.objectContaining({ organization_id: org.id, role: "admin" }));
    expect((await client(invitee.jwt).GET("/me/invitations")).data!.invitations).toEqual([]);
  });

  it("a used invitation is refused the second time (403)", async () => {
    const res = await call("POST", "me/invitations/accept", invitee.jwt, { token: invitation.token });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe("this invitation is invalid, expired or already used");
  });

  it("an invitation to an organization I already belong to is a conflict (409), and stays pending", async () => {
    const again = await invite(owner, org.id, invitee.email);
    const res = await call("POST", "me/invitations/accept", invitee.jwt, { token: again.token });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", message: "you are already a member of this organization" });
    const [row] = await sql`select accepted_at from public.invitations where id = ${again.id}`;
    expect(row.accepted_at).toBeNull();
  });

  it("a personal access token with orgs:join accepts", async () => {
    const other = await newUser("token-invitee");
    const { token } = await invite(owner, org.id, other.email);
    const res = await call("POST", "me/invitations/accept", await tokenWith(other, ["orgs:join"]), { token });
    expect(res.status).toBe(200);
    expect((await res.json()).role).toBe("member");
  });
});
