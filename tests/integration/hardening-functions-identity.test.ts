// Issue 10 items 11 (TypeScript part) and 27 (a–c) through the HTTP path: what an
// external token may put into the session claims, what an unaccepted issuer is told,
// audiences of registered providers, and revoking a revoked token.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT, decodeJwt, importJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESERVED_CLAIMS } from "../../functions/_shared/auth.ts";
import type { ProjectKeys } from "../../stack/keys.ts";
import { local } from "../../stack/settings.ts";
import { startTestIdp, type TestIdp, type TestProvider } from "../helpers/identity-provider.ts";
import { authService, connect, functionUrl, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let idp: TestIdp;
let clerk: TestProvider;
let withAudience: TestProvider;
let unregistered: TestProvider;
const AUDIENCE = `tenantry-api-${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  idp = await startTestIdp(sql);
  const tag = randomUUID().slice(0, 6);
  clerk = await idp.provider(`clerk-reserved-${tag}`, { kind: "clerk" });
  withAudience = await idp.provider(`oidc-aud-${tag}`, { kind: "oidc", audience: AUDIENCE });
  // Serves keys like a real IdP, but nobody registered it: its tokens are well signed.
  unregistered = await idp.provider(`unregistered-${tag}`, { kind: "clerk", register: false });
});

afterAll(() => idp.close());

const call = (method: string, path: string, bearer: string, body?: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const forgedClaims = { pat_id: "00000000-0000-4000-8000-00000000f00d", pat_scopes: ["users:admin", "tokens:manage"], tenantry: { roles: ["admin"] } };

async function lastTokenCreateEvent(profileId: string) {
  const [event] = await sql`
    select actor_type, actor_id, details from public.audit_events
    where action = 'token.create' and actor_id = ${profileId} order by id desc limit 1`;
  return event;
}

describe("Tenantry's reserved claims never come from an external token", () => {
  it("the reserved list names the token and hook claims", () => {
    expect([...RESERVED_CLAIMS]).toEqual(expect.arrayContaining(["pat_id", "pat_scopes", "tenantry"]));
  });

  it("a Clerk token carrying pat_id/pat_scopes acts as its user: audited actor_type user, no token_id", async () => {
    const sub = `user_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
    // A member of a Clerk organization, so they hold org:read and may mint a token with it.
    const org = { org_id: `org_${sub}`, org_slug: `reserved-${sub.slice(-8)}`, org_role: "org:admin" };
    const token = await clerk.sign({ sub, email: `${sub}@clerk.test`, role: "authenticated", ...org, ...forgedClaims });
    const res = await call("POST", "me/tokens", token, { name: "from-clerk", scopes: ["org:read"], expires_in_days: 1 });
    expect(res.status).toBe(201);
    const [profile] = await sql`select id from public.profiles where identity_provider = ${clerk.issuer} and identity_sub = ${sub}`;
    const event = await lastTokenCreateEvent(profile.id);
    expect(event.actor_type).toBe("user");
    expect(event.details).not.toHaveProperty("token_id");
  });

  it("a Supabase Auth token carrying pat_id/pat_scopes acts as its user too", async () => {
    const issued = await auth.tokenFor(uniqueEmail("reserved-claims"));
    const keys = JSON.parse(readFileSync(local.keysFile, "utf8")) as ProjectKeys;
    const key = await importJWK(keys.signingKey, "ES256");
    const forged = await new SignJWT({ ...decodeJwt(issued.accessToken), ...forgedClaims })
      .setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" })
      .sign(key);
    const res = await call("POST", "me/tokens", forged, { name: "from-supabase", scopes: ["org:read"], expires_in_days: 1 });
    expect(res.status).toBe(201);
    const [profile] = await sql`select id from public.profiles where auth_user_id = ${issued.user.id}`;
    const event = await lastTokenCreateEvent(profile.id);
    expect(event.actor_type).toBe("user");
    expect(event.details).not.toHaveProperty("token_id");
  });
});

describe("an issuer that is not accepted is named", () => {
  it("a well-signed token from an unregistered issuer: 401 saying which issuer and why", async () => {
    const token = await unregistered.sign({ sub: `user_${randomUUID().slice(0, 8)}`, role: "authenticated" });
    const res = await call("GET", "me", token);
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toBe(
      `token issuer "${unregistered.issuer}" is not accepted: it is neither this project's Supabase Auth nor a registered, enabled identity provider`,
    );
  });
});

describe("a provider's registered audience is enforced", () => {
  const sign = (claims: Record<string, unknown>) => withAudience.sign({ sub: `oidc-${randomUUID()}`, role: "authenticated", ...claims });

  it.each([
    ["another audience", { aud: "someone-else" }],
    ["no audience at all", {}],
    ["an audience list without it", { aud: ["someone-else", "authenticated"] }],
  ])("a token with %s is 401 naming the audience", async (_label, claims) => {
    const res = await call("GET", "me", await sign(claims));
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("token audience is not accepted");
  });

  it.each([
    ["the registered audience", { aud: AUDIENCE }],
    ["a list naming it", { aud: ["someone-else", AUDIENCE] }],
  ])("a token with %s is accepted", async (_label, claims) => {
    const res = await call("GET", "me", await sign(claims));
    expect(res.status).toBe(200);
  });
});

describe("revoking a token twice", () => {
  it("the second revocation is 409 conflict naming the token, and changes nothing", async () => {
    const { accessToken } = await auth.tokenFor(uniqueEmail("revoke-twice"));
    const created = await (await call("POST", "me/tokens", accessToken, { name: "twice", scopes: ["org:read"], expires_in_days: 1 })).json();
    expect((await call("DELETE", `me/tokens/${created.id}`, accessToken)).status).toBe(200);
    const [before] = await sql`select revoked_at from public.personal_access_tokens where id = ${created.id}`;
    const res = await call("DELETE", `me/tokens/${created.id}`, accessToken);
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toContain(`token "twice" (${created.prefix}) is already revoked`);
    const [after] = await sql`select revoked_at from public.personal_access_tokens where id = ${created.id}`;
    expect(after.revoked_at).toEqual(before.revoked_at);
    const [events] = await sql`select count(*)::int as n from public.audit_events where action = 'token.revoke' and target_id = ${created.id}`;
    expect(events.n).toBe(1);
  });
});
