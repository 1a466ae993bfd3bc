// Just-in-time provisioning for third-party identity providers (SPEC F2, F7, F8)
// through the real edge function: tokens signed by test keys for a Clerk-like, a
// Frontegg-like and an OIDC issuer, whose JWKS and UserInfo this test serves.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withIdentity } from "../../functions/_shared/db.ts";
import { startTestIdp, type TestIdp, type TestProvider } from "../helpers/identity-provider.ts";
import { authService, connect, functionUrl, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let idp: TestIdp;
let clerk: TestProvider;
let frontegg: TestProvider;
let oidc: TestProvider;
let oidcAdd: TestProvider;
// oidc providers must name their audience (issue 10, item 27): the test tokens carry it.
const OIDC_AUDIENCE = "tenantry-jit-test";
function signingForAudience(provider: TestProvider): TestProvider {
  const sign = provider.sign;
  provider.sign = (claims, options) => sign({ aud: OIDC_AUDIENCE, ...claims }, options);
  return provider;
}

beforeAll(async () => {
  idp = await startTestIdp(sql);
  const tag = randomUUID().slice(0, 6);
  clerk = await idp.provider(`clerk-${tag}`, { kind: "clerk" });
  frontegg = await idp.provider(`frontegg-${tag}`, { kind: "frontegg" });
  oidc = signingForAudience(await idp.provider(`oidc-${tag}`, { kind: "oidc", tenantClaim: "org_id", withUserInfo: true, audience: OIDC_AUDIENCE }));
  oidcAdd = signingForAudience(await idp.provider(`oidc-add-${tag}`, { kind: "oidc", tenantClaim: "org_id", tenantSwitch: "add", audience: OIDC_AUDIENCE }));
  await sql`select private.replace_group_role_mapping(${sql.json({ engineering: ["reader"], security: ["auditor"] })}, '{}')`;
});

afterAll(async () => {
  await sql`select private.replace_group_role_mapping('{}', '{}')`;
  await idp.close();
});

const me = (token: string) => fetch(functionUrl("me"), { headers: { authorization: `Bearer ${token}` } });

async function rowsFor(issuer: string, sub: string) {
  const [row] = await sql`
    select (select count(*)::int from public.profiles where identity_provider = ${issuer} and identity_sub = ${sub}) as profiles,
           (select count(*)::int from private.organization_links where issuer = ${issuer}) as linked_orgs,
           (select count(*)::int from public.memberships m join public.profiles p on p.id = m.user_id
             where p.identity_provider = ${issuer} and p.identity_sub = ${sub}) as memberships`;
  return row;
}

describe("first request provisions", () => {
  it("Clerk: profile, organization from org_id, membership with the mapped org:admin role", async () => {
    const sub = `user_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
    const orgName = `analytical-engines-${sub.slice(-6)}`;
    const token = await clerk.sign({ sub, email: "Ada@Clerk.test", name: "Ada", org_id: `org_${sub}`, org_slug: orgName, org_role: "org:admin", role: "authenticated" });
    const res = await me(token);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.profile).toMatchObject({ identity_provider: clerk.issuer, identity_sub: sub, email: "ada@clerk.test", display_name: "Ada" });
    expect(body.memberships).toHaveLength(1);
    expect(body.memberships[0]).toMatchObject({ role: "admin", name: orgName, slug: orgName });
    expect(await rowsFor(clerk.issuer, sub)).toEqual({ profiles: 1, linked_orgs: 1, memberships: 1 });
  });

  it("Frontegg: tenantId names the organization, roles [\"Admin\"] map to admin", async () => {
    const sub = randomUUID();
    const token = await frontegg.sign({ sub, email: "ops@frontegg.test", name: "Ops", tenantId: randomUUID(), roles: ["Viewer", "Admin"] });
    const body = await (await me(token)).json();
    expect(body.profile.identity_provider).toBe(frontegg.issuer);
    expect(body.memberships[0].role).toBe("admin");
  });

  it("OIDC: a sparse token is enriched from UserInfo before provisioning, and groups map to platform roles", async () => {
    const sub = `oidc|${randomUUID()}`;
    oidc.setUserInfo(sub, { email: "grace@oidc.test", name: "Grace", groups: ["Engineering"], org_id: "ignored" });
    const calls = oidc.userInfoCalls;
    const token = await oidc.sign({ sub, org_id: `tenant-${sub}` });
    const body = await (await me(token)).json();
    expect(oidc.userInfoCalls).toBe(calls + 1);
    expect(body.profile).toMatchObject({ email: "grace@oidc.test", display_name: "Grace" });
    expect(body.platform_roles).toEqual(["reader"]);
    expect(body.memberships[0].role).toBe("member");
  });

  it("a Frontegg subject that equals a Supabase Auth user's id is still its own user", async () => {
    const supabaseUser = await auth.signUp({ email: uniqueEmail("collide") });
    const token = await frontegg.sign({ sub: supabaseUser.id, email: "other@frontegg.test", tenantId: randomUUID(), roles: ["Member"] });
    const body = await (await me(token)).json();
    expect(body.profile.identity_provider).toBe(frontegg.issuer);
    expect(body.profile.id).not.toBe(supabaseUser.id);
  });

  it("20 concurrent first requests for one identity create exactly one of everything", async () => {
    const sub = `user_race_${randomUUID()}`;
    const token = await clerk.sign({ sub, email: "race@clerk.test", org_id: `org_race_${sub}`, org_slug: "race", org_role: "org:member" });
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await me(token)).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const [row] = await sql`
      select (select count(*)::int from public.profiles where identity_sub = ${sub}) as profiles,
             (select count(*)::int from private.organization_links where external_id = ${`org_race_${sub}`}) as orgs,
             (select count(*)::int from public.memberships m join public.profiles p on p.id = m.user_id where p.identity_sub = ${sub}) as memberships,
             (select count(*)::int from public.audit_events e join public.profiles p on p.id::text = e.target_id
               where p.identity_sub = ${sub} and e.action = 'user.provision') as provision_events`;
    expect(row).toEqual({ profiles: 1, orgs: 1, memberships: 1, provision_events: 1 });
  });
});

describe("rejected tokens provision nothing", () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ["a tampered payload", async () => {
      const token = await clerk.sign({ sub: "user_tampered", org_id: "org_t" });
      const [h, p, s] = token.split(".");
      const payload = JSON.parse(Buffer.from(p, "base64url").toString());
      payload.sub = "user_tampered_x";
      return [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
    }],
    ["an expired token", () => clerk.sign({ sub: "user_tampered_x", org_id: "org_t" }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ["a token without exp", () => clerk.sign({ sub: "user_tampered_x", org_id: "org_t" }, { omitExp: true })],
    ["a token signed with an unknown kid", () => clerk.sign({ sub: "user_tampered_x", org_id: "org_t" }, { kid: "not-published" })],
    ["a token from an unregistered issuer", () => clerk.sign({ sub: "user_tampered_x", iss: `${idp.url}/stranger`, org_id: "org_t" })],
    ["a Clerk token carrying the Frontegg issuer", () => clerk.sign({ sub: "user_tampered_x", iss: frontegg.issuer, tenantId: "t" })],
    ["an oidc token minted for another application (audience)", () => oidc.sign({ sub: "user_tampered_x", aud: "another-app", org_id: "org_t" })],
  ];

  it.each(cases)("%s gets 401", async (_label, makeToken) => {
    const res = await me(await makeToken());
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
    const [row] = await sql`select count(*)::int as n from public.profiles where identity_sub = 'user_tampered_x'`;
    expect(row.n).toBe(0);
  });
});

describe("later requests", () => {
  it("update last_login_at and re-sync platform roles from groups", async () => {
    const sub = `resync|${randomUUID()}`;
    oidc.setUserInfo(sub, { email: "resync@oidc.test", name: "R" });
    await me(await oidc.sign({ sub, org_id: `t-${sub}`, groups: ["engineering", "security"], email: "r@oidc.test", name: "R" }));
    // Logins are recorded at most once a minute; pretend the first was two minutes ago.
    await sql`update public.profiles set last_login_at = now() - interval '2 minutes' where identity_sub = ${sub}`;
    const [first] = await sql`select last_login_at from public.profiles where identity_sub = ${sub}`;
    const body = await (await me(await oidc.sign({ sub, org_id: `t-${sub}`, groups: ["security"], email: "r@oidc.test", name: "R" }))).json();
    expect(body.platform_roles).toEqual(["auditor"]);
    const [second] = await sql`select last_login_at from public.profiles where identity_sub = ${sub}`;
    expect(second.last_login_at.getTime()).toBeGreaterThan(first.last_login_at.getTime());
    const revokes = await sql`
      select e.details ->> 'role' as role from public.audit_events e join public.profiles p on p.id::text = e.target_id
      where p.identity_sub = ${sub} and e.action = 'platform_role.revoke'`;
    expect(revokes.map((r) => r.role)).toEqual(["reader"]);
  });

  it("a changed tenant claim moves the membership (tenant_switch = move)", async () => {
    const sub = `user_move_${randomUUID()}`;
    await me(await clerk.sign({ sub, org_id: `org_a_${sub}`, org_slug: `a-${sub.slice(-6)}`, org_role: "org:member" }));
    const body = await (await me(await clerk.sign({ sub, org_id: `org_b_${sub}`, org_slug: `b-${sub.slice(-6)}`, org_role: "org:member" }))).json();
    expect(body.memberships.map((m: { name: string }) => m.name)).toEqual([`b-${sub.slice(-6)}`]);
  });

  it("a changed tenant claim adds a membership when the provider says add", async () => {
    const sub = `add-${randomUUID()}`;
    await me(await oidcAdd.sign({ sub, org_id: `first-${sub}`, email: "a@x.test", name: "A", groups: [] }));
    const body = await (await me(await oidcAdd.sign({ sub, org_id: `second-${sub}`, email: "a@x.test", name: "A", groups: [] }))).json();
    expect(body.memberships).toHaveLength(2);
  });

  it("a disabled account is refused with 403", async () => {
    const sub = `user_disabled_${randomUUID()}`;
    const token = await clerk.sign({ sub, org_id: `org_d_${sub}` });
    await me(token);
    await sql`update public.profiles set disabled_at = now() where identity_sub = ${sub}`;
    const res = await me(token);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: "forbidden", message: "this account is disabled" });
  });
});

describe("the last owner of a mirrored organization", () => {
  it("a Clerk org:member made owner by a platform admin stays owner on their next request, and the skip is audited", async () => {
    const sub = `user_owner_${randomUUID()}`;
    const token = await clerk.sign({ sub, org_id: `org_owner_${sub}`, org_slug: `owner-${sub.slice(-6)}`, org_role: "org:member" });
    expect((await (await me(token)).json()).memberships[0].role).toBe("member");
    const [org] = await sql`select organization_id as id from private.organization_links where external_id = ${`org_owner_${sub}`}`;
    await sql`update public.memberships m set role = 'owner' from public.profiles p where p.id = m.user_id and p.identity_sub = ${sub} and m.organization_id = ${org.id}`;
    await sql`update public.profiles set last_login_at = now() - interval '2 minutes' where identity_sub = ${sub}`;
    const body = await (await me(token)).json();
    expect(body.memberships[0].role).toBe("owner");
    const [owners] = await sql`select count(*)::int as n from public.memberships where organization_id = ${org.id} and role = 'owner'`;
    expect(owners.n).toBe(1);
    const skipped = await sql`select details ->> 'token_role' as token_role from public.audit_events where action = 'membership.sync_skipped' and organization_id = ${org.id}`;
    expect(skipped.map((r) => r.token_role)).toEqual(["member"]);
  });
});

describe("isolation between providers", () => {
  it("a Clerk user and a Supabase Auth user in different organizations cannot see each other's rows", async () => {
    const sub = `user_iso_${randomUUID()}`;
    const clerkOrgId = `org_iso_${sub}`;
    await me(await clerk.sign({ sub, org_id: clerkOrgId, org_slug: `iso-${sub.slice(-6)}`, org_role: "org:member" }));
    const [clerkOrg] = await sql`select organization_id as id from private.organization_links where external_id = ${clerkOrgId}`;
    const supabaseUser = await auth.signUp({ email: uniqueEmail("iso") });
    const [supabaseOrg] = await sql`select id from public.organizations where created_by = ${supabaseUser.id} and is_personal`;
    await sql`insert into public.projects (organization_id, name, created_by) values (${clerkOrg.id}, 'clerk secret', null), (${supabaseOrg.id}, 'supabase secret', null)`;

    const asClerk = { role: "authenticated" as const, claims: { sub, iss: clerk.issuer, role: "authenticated" } };
    const asSupabase = { role: "authenticated" as const, claims: { sub: supabaseUser.id, iss: auth.issuer, role: "authenticated" } };
    const visible = async (identity: typeof asClerk) =>
      (await withIdentity(sql, identity, (tx) => tx`select name from public.projects where organization_id in (${clerkOrg.id}, ${supabaseOrg.id}) order by name`)).map((r) => r.name);

    expect(await visible(asClerk)).toEqual(["clerk secret"]);
    expect(await visible(asSupabase)).toEqual(["My first project", "supabase secret"]);
  });
});
