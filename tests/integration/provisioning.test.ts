// Provisioning through the path a user takes: Supabase Auth's signup (the token-minting
// stand-in writes auth.users as GoTrue does) fires the trigger (SPEC F1); the access
// token carries Tenantry's bounded claims (F9).
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { requiredClaimsSchema } from "../../stack/auth.ts";
import { authService, connect, uniqueEmail } from "../helpers/stack.ts";

const auth = authService();
const sql = connect();

async function rowsOf(userId: string) {
  const [row] = await sql`
    select (select count(*)::int from public.profiles where id = ${userId}) as profiles,
           (select count(*)::int from public.organizations where created_by = ${userId} and is_personal) as personal_orgs,
           (select count(*)::int from public.memberships where user_id = ${userId}) as memberships,
           (select count(*)::int from public.projects where created_by = ${userId} and is_starter) as starter_projects,
           (select count(*)::int from public.audit_events where action = 'user.provision' and target_id = ${userId}) as audit_events`;
  return row;
}

describe("F1 provisioning on signup", () => {
  it("a signup creates exactly one profile, personal organization, membership, starter project and audit event", async () => {
    const user = await auth.signUp({ email: uniqueEmail("signup"), userMetadata: { name: "Grace Hopper", avatar_url: "https://img.test/g.png" } });
    expect(await rowsOf(user.id)).toEqual({ profiles: 1, personal_orgs: 1, memberships: 1, starter_projects: 1, audit_events: 1 });
    const [profile] = await sql`select display_name, avatar_url, identity_provider from public.profiles where id = ${user.id}`;
    expect(profile).toEqual({ display_name: "Grace Hopper", avatar_url: "https://img.test/g.png", identity_provider: "supabase" });
  });

  it("signing in again provisions nothing new and records the login", async () => {
    const email = uniqueEmail("repeat");
    const first = await auth.tokenFor(email);
    await auth.tokenFor(email);
    await auth.tokenFor(email);
    expect(await rowsOf(first.user.id)).toEqual({ profiles: 1, personal_orgs: 1, memberships: 1, starter_projects: 1, audit_events: 1 });
    const [profile] = await sql`select last_login_at from public.profiles where id = ${first.user.id}`;
    expect(profile.last_login_at).toBeInstanceOf(Date);
  });

  it("50 concurrent signups each get exactly their own rows, and no orphans", async () => {
    const emails = Array.from({ length: 50 }, (_, i) => uniqueEmail(`burst${i}`));
    const users = await Promise.all(emails.map((email) => auth.signUp({ email })));
    const counts = await Promise.all(users.map((u) => rowsOf(u.id)));
    for (const c of counts) expect(c).toEqual({ profiles: 1, personal_orgs: 1, memberships: 1, starter_projects: 1, audit_events: 1 });
    const [orphans] = await sql`
      select count(*)::int as n from public.organizations o
      where o.is_personal and not exists (select 1 from public.memberships m where m.organization_id = o.id)`;
    expect(orphans.n).toBe(0);
  });

  it("20 concurrent provisioning calls for one user leave one profile and one personal organization", async () => {
    const user = await auth.signUp({ email: uniqueEmail("race") });
    // Simulate a legacy user: remove what the trigger made, then repair from 20 connections at once.
    await sql`delete from public.profiles where id = ${user.id}`;
    await Promise.all(Array.from({ length: 20 }, () => sql.begin((tx) => tx`select private.provision_auth_user(${user.id})`)));
    expect(await rowsOf(user.id)).toMatchObject({ profiles: 1, personal_orgs: 1, memberships: 1, starter_projects: 1 });
  });

  it.each([
    ["numbers where strings belong", { full_name: 12345, avatar_url: 7 }],
    ["1 MB strings", { name: "n".repeat(1_000_000), company: "c".repeat(1_000_000) }],
    ["nulls", { full_name: null, picture: null, timezone: null }],
    ["nested objects and arrays", { name: { first: "A" }, picture: ["x"], company: { n: 1 } }],
    ["a string instead of an object", "hello"],
  ])("still signs up with %s in the metadata", async (_label, metadata) => {
    const issued = await auth.tokenFor(uniqueEmail("odd"), metadata);
    expect(await rowsOf(issued.user.id)).toMatchObject({ profiles: 1, personal_orgs: 1 });
    const [profile] = await sql`select char_length(coalesce(display_name, '')) as n from public.profiles where id = ${issued.user.id}`;
    expect(profile.n).toBeLessThanOrEqual(200);
  });
});

describe("authorization inputs users cannot write (issue 10)", () => {
  it("a confirmed signup has a verified email; an email change is unverified until confirmed", async () => {
    const user = await auth.signUp({ email: uniqueEmail("verified") });
    const [before] = await sql`select email_verified from public.profiles where id = ${user.id}`;
    expect(before.email_verified).toBe(true);
    await sql`update auth.users set email = ${uniqueEmail("moved")} where id = ${user.id}`;
    const [after] = await sql`select email_verified from public.profiles where id = ${user.id}`;
    expect(after.email_verified).toBe(false);
  });

  it("a disabled account is refused a token with 403 \"this account is disabled\"", async () => {
    const user = await auth.signUp({ email: uniqueEmail("disabled") });
    await sql`update public.profiles set disabled_at = now() where id = ${user.id}`;
    await expect(auth.signIn(user.id)).rejects.toMatchObject({ status: 403, message: "this account is disabled" });
  });

  it("a 90-character email local part still provisions a personal organization", async () => {
    const user = await auth.signUp({ email: `${"x".repeat(90)}${Date.now()}@long.test` });
    expect(await rowsOf(user.id)).toMatchObject({ profiles: 1, personal_orgs: 1, memberships: 1 });
  });
});

describe("F9 access token claims", () => {
  it("a fresh user's token satisfies the required-claims contract and lists their organization", async () => {
    const issued = await auth.tokenFor(uniqueEmail("claims"));
    const claims = decodeJwt(issued.accessToken) as Record<string, any>;
    expect(requiredClaimsSchema.safeParse(claims).success).toBe(true);
    const [org] = await sql`select id from public.organizations where created_by = ${issued.user.id} and is_personal`;
    expect(claims.tenantry).toEqual({ roles: [], orgs: { [org.id]: "owner" }, orgs_truncated: false });
  });

  it("with 1,000 memberships the token stays under 4 KB", async () => {
    const user = await auth.signUp({ email: uniqueEmail("many") });
    await sql`
      with orgs as (
        insert into public.organizations (slug, name)
        select 'many-' || ${user.id.slice(0, 8)} || '-' || n, 'Many ' || ${user.id.slice(0, 8)} || ' ' || n
        from generate_series(1, 999) n
        returning id)
      insert into public.memberships (organization_id, user_id, role) select id, ${user.id}, 'member' from orgs`;
    const issued = await auth.signIn(user.id);
    const claims = decodeJwt(issued.accessToken) as Record<string, any>;
    expect(Buffer.byteLength(issued.accessToken)).toBeLessThan(4096);
    expect(Object.keys(claims.tenantry.orgs)).toHaveLength(20);
    expect(claims.tenantry.orgs_truncated).toBe(true);
  });

  it("a user without a profile still gets a token", async () => {
    const user = await auth.signUp({ email: uniqueEmail("noprofile") });
    await sql`delete from public.profiles where id = ${user.id}`;
    const issued = await auth.signIn(user.id);
    expect((decodeJwt(issued.accessToken) as Record<string, any>).tenantry).toEqual({ roles: [], orgs: {}, orgs_truncated: false });
  });
});
