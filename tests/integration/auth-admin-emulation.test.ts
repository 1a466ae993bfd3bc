// The Supabase Auth admin API behind the local gateway, driven by supabase-js as an
// application's server would: users written like GoTrue writes them (so Tenantry's
// auth.users triggers provision, update and remove profiles as in production), GoTrue's
// answers and error codes, and the platform's API key rules in front of it.
import type { AuthError } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { authService, connect, serverClient, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
const admin = serverClient(stack.secretKey).auth.admin;

const NIL = "00000000-0000-0000-0000-000000000000";
const DUPLICATE = "A user with this email address has already been registered";

async function created(attributes: Parameters<typeof admin.createUser>[0]) {
  const { data, error } = await admin.createUser(attributes);
  expect(error).toBeNull();
  return data.user!;
}

async function authUser(id: string) {
  const [row] = await sql`select * from auth.users where id = ${id}`;
  return row;
}

async function profile(id: string) {
  const [row] = await sql`select id, auth_user_id, email, email_verified, display_name from public.profiles where auth_user_id = ${id}`;
  return row;
}

function refusal(error: AuthError | null) {
  return { status: error?.status, code: error?.code, message: error?.message };
}

describe("createUser", () => {
  it("writes auth.users and the email identity as GoTrue does, and Tenantry provisions a profile", async () => {
    const email = uniqueEmail("admin-create");
    const user = await created({
      email,
      password: "correct horse battery",
      email_confirm: true,
      user_metadata: { full_name: "Ada Lovelace" },
      app_metadata: { plan: "pro" },
    });
    expect(user).toMatchObject({
      aud: "authenticated",
      role: "authenticated",
      email,
      phone: "",
      app_metadata: { provider: "email", providers: ["email"], plan: "pro" },
      user_metadata: { full_name: "Ada Lovelace", email_verified: true },
      is_anonymous: false,
    });
    expect(user.email_confirmed_at).toEqual(expect.any(String));
    expect(user.identities).toEqual([
      expect.objectContaining({
        id: user.id,
        user_id: user.id,
        provider: "email",
        email,
        identity_data: { sub: user.id, email, email_verified: false, phone_verified: false },
      }),
    ]);

    const row = await authUser(user.id);
    expect(row).toMatchObject({
      instance_id: NIL,
      aud: "authenticated",
      role: "authenticated",
      email,
      confirmation_token: "",
      recovery_token: "",
      email_change_token_new: "",
      email_change: "",
      invited_at: null,
      banned_until: null,
      is_sso_user: false,
      is_anonymous: false,
      raw_app_meta_data: { provider: "email", providers: ["email"], plan: "pro" },
      raw_user_meta_data: { full_name: "Ada Lovelace", email_verified: true },
    });
    expect(row.email_confirmed_at).toBeInstanceOf(Date);
    // A bcrypt hash of the password, cost 10, as GoTrue stores it (checked with pgcrypto).
    expect(row.encrypted_password).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    const [check] = await sql`select extensions.crypt('correct horse battery', ${row.encrypted_password}) = ${row.encrypted_password} as ok`;
    expect(check.ok).toBe(true);

    expect(await profile(user.id)).toMatchObject({ id: user.id, auth_user_id: user.id, email, email_verified: true });
  });

  it("without email_confirm the address is unconfirmed, and without a password a random one is hashed", async () => {
    const user = await created({ email: uniqueEmail("admin-unconfirmed") });
    expect(user.email_confirmed_at).toBeUndefined();
    expect(user.user_metadata).toEqual({});
    const row = await authUser(user.id);
    expect(row.email_confirmed_at).toBeNull();
    expect(row.encrypted_password).toMatch(/^\$2a\$10\$/);
    expect(await profile(user.id)).toMatchObject({ auth_user_id: user.id, email_verified: false });
  });

  it("refuses an address already registered with GoTrue's 422 email_exists", async () => {
    const email = uniqueEmail("admin-twice");
    await created({ email });
    const { data, error } = await admin.createUser({ email });
    expect(data.user).toBeNull();
    expect(refusal(error)).toEqual({ status: 422, code: "email_exists", message: DUPLICATE });

    const signedUp = await auth.signUp({ email: uniqueEmail("signed-up") });
    const again = await admin.createUser({ email: signedUp.email!.toUpperCase() });
    expect(refusal(again.error)).toEqual({ status: 422, code: "email_exists", message: DUPLICATE });
  });

  it("validates the address as GoTrue does", async () => {
    const { error } = await admin.createUser({ email: "not an address" });
    expect(refusal(error)).toEqual({ status: 400, code: "validation_failed", message: "Unable to validate email address: invalid format" });
    const none = await admin.createUser({});
    expect(refusal(none.error)).toEqual({ status: 400, code: "validation_failed", message: "Cannot create a user without either an email or phone" });
  });
});

describe("inviteUserByEmail", () => {
  it("creates an invited, unconfirmed user with a confirmation token and no password; Tenantry provisions a profile", async () => {
    const email = uniqueEmail("invitee");
    const { data, error } = await admin.inviteUserByEmail(email, { data: { full_name: "Grace Hopper" }, redirectTo: "http://localhost:3000/welcome" });
    expect(error).toBeNull();
    const user = data.user!;
    expect(user).toMatchObject({ email, role: "authenticated", user_metadata: { full_name: "Grace Hopper" } });
    expect(user.invited_at).toEqual(expect.any(String));
    expect(user.confirmation_sent_at).toEqual(expect.any(String));
    expect(user.email_confirmed_at).toBeUndefined();

    const row = await authUser(user.id);
    expect(row).toMatchObject({ email, encrypted_password: "", email_confirmed_at: null, raw_app_meta_data: { provider: "email", providers: ["email"] } });
    expect(row.invited_at).toBeInstanceOf(Date);
    // GoTrue keeps only a hash of the emailed OTP: hex SHA-224 of email + OTP.
    expect(row.confirmation_token).toMatch(/^[0-9a-f]{56}$/);
    expect(await profile(user.id)).toMatchObject({ auth_user_id: user.id, email, email_verified: false });
  });

  it("invites an unconfirmed user again (same user, new token) and refuses a confirmed one", async () => {
    const email = uniqueEmail("reinvite");
    const first = (await admin.inviteUserByEmail(email)).data.user!;
    const token = (await authUser(first.id)).confirmation_token;
    const second = await admin.inviteUserByEmail(email);
    expect(second.error).toBeNull();
    expect(second.data.user!.id).toBe(first.id);
    expect((await authUser(first.id)).confirmation_token).not.toBe(token);

    const confirmed = await created({ email: uniqueEmail("confirmed"), email_confirm: true });
    const refused = await admin.inviteUserByEmail(confirmed.email!);
    expect(refusal(refused.error)).toEqual({ status: 422, code: "email_exists", message: DUPLICATE });
  });
});

describe("getUserById and listUsers", () => {
  it("returns the user with its identities; an unknown id is GoTrue's 404 user_not_found", async () => {
    const user = await created({ email: uniqueEmail("get"), user_metadata: { team: "a" } });
    const { data, error } = await admin.getUserById(user.id);
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: user.id, email: user.email, user_metadata: { team: "a" } });
    expect(data.user!.identities).toHaveLength(1);

    const missing = await admin.getUserById("6f9619ff-8b86-4d11-b42d-00c04fc964ff");
    expect(missing.data.user).toBeNull();
    expect(refusal(missing.error)).toEqual({ status: 404, code: "user_not_found", message: "User not found" });
  });

  it("pages newest first, with the total and the next page from GoTrue's headers", async () => {
    const newer = await created({ email: uniqueEmail("list-b") });
    const newest = await created({ email: uniqueEmail("list-c") });
    const { data, error } = await admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    expect(data.users.map((u) => u.id)).toEqual([newest.id, newer.id]);
    const [{ count }] = await sql`select count(*)::int as count from auth.users where aud = 'authenticated'`;
    expect(data).toMatchObject({ aud: "authenticated", total: count, nextPage: 2 });
  });
});

describe("updateUserById", () => {
  it("merges metadata as GoTrue does (null removes a key)", async () => {
    const user = await created({ email: uniqueEmail("update-meta"), user_metadata: { a: 1, b: 2 }, app_metadata: { plan: "free" } });
    const { data, error } = await admin.updateUserById(user.id, { user_metadata: { b: null, c: 3 }, app_metadata: { plan: "pro" } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ user_metadata: { a: 1, c: 3 }, app_metadata: { provider: "email", providers: ["email"], plan: "pro" } });
    const row = await authUser(user.id);
    expect(row.raw_user_meta_data).toEqual({ a: 1, c: 3 });
    expect(row.raw_app_meta_data).toEqual({ provider: "email", providers: ["email"], plan: "pro" });
  });

  it("changes the email on the user and its identity, and the profile follows", async () => {
    const user = await created({ email: uniqueEmail("old-address"), email_confirm: true });
    const email = uniqueEmail("new-address");
    const { data, error } = await admin.updateUserById(user.id, { email });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email });
    const [identity] = await sql`select identity_data from auth.identities where user_id = ${user.id} and provider = 'email'`;
    expect(identity.identity_data).toMatchObject({ email, email_verified: false });
    expect(await profile(user.id)).toMatchObject({ email });
  });

  it("email_confirm confirms an unconfirmed address, and Tenantry marks the profile verified", async () => {
    const user = await created({ email: uniqueEmail("confirm-later") });
    await admin.updateUserById(user.id, { email_confirm: true });
    expect((await authUser(user.id)).email_confirmed_at).toBeInstanceOf(Date);
    expect(await profile(user.id)).toMatchObject({ email_verified: true });
  });

  it("a ban sets banned_until and refuses sign-in as GoTrue does; 'none' lifts it", async () => {
    const user = await created({ email: uniqueEmail("banned"), email_confirm: true });
    const before = Date.now();
    const banned = await admin.updateUserById(user.id, { ban_duration: "876000h" });
    expect(banned.error).toBeNull();
    expect(banned.data.user!.banned_until).toEqual(expect.any(String));
    const until = (await authUser(user.id)).banned_until as Date;
    expect(until.getTime() - before).toBeGreaterThan(99 * 365 * 24 * 3600 * 1000);

    // The OTP / magic link verification GoTrue refuses with 403, the password grant with 400.
    await expect(auth.signIn(user.id)).rejects.toMatchObject({ status: 403, code: "user_banned", message: "User is banned" });
    await expect(auth.signIn(user.id, "password")).rejects.toMatchObject({ status: 400, code: "user_banned", message: "User is banned" });
    const [{ sessions }] = await sql`select count(*)::int as sessions from auth.sessions where user_id = ${user.id}`;
    expect(sessions).toBe(0);

    const lifted = await admin.updateUserById(user.id, { ban_duration: "none" });
    expect(lifted.error).toBeNull();
    expect(lifted.data.user!.banned_until).toBeUndefined();
    expect((await authUser(user.id)).banned_until).toBeNull();
    const issued = await auth.signIn(user.id);
    expect(issued.user.id).toBe(user.id);
  });

  it("refuses a ban duration Go cannot parse, with Go's message", async () => {
    const user = await created({ email: uniqueEmail("ban-format") });
    const { error } = await admin.updateUserById(user.id, { ban_duration: "forever" });
    expect(refusal(error)).toEqual({ status: 400, code: "validation_failed", message: 'invalid format for ban duration: time: invalid duration "forever"' });
  });
});

describe("deleteUser", () => {
  it("removes the auth.users row, its identities and sessions, and Tenantry's profile with it", async () => {
    const user = await created({ email: uniqueEmail("delete-me"), email_confirm: true });
    await auth.signIn(user.id);
    expect(await profile(user.id)).toBeDefined();
    const { data, error } = await admin.deleteUser(user.id);
    expect(error).toBeNull();
    expect(data.user).toEqual({});
    expect(await authUser(user.id)).toBeUndefined();
    const [{ left }] = await sql`
      select (select count(*) from auth.identities where user_id = ${user.id})
           + (select count(*) from auth.sessions where user_id = ${user.id}) as left`;
    expect(Number(left)).toBe(0);
    expect(await profile(user.id)).toBeUndefined();
    expect(refusal((await admin.getUserById(user.id)).error)).toMatchObject({ status: 404, code: "user_not_found" });
  });

  it("a soft delete obfuscates the user and ends its sessions but keeps the row", async () => {
    const email = uniqueEmail("soft-delete");
    const user = await created({ email, email_confirm: true, user_metadata: { full_name: "Soft" } });
    await auth.signIn(user.id);
    const { error } = await admin.deleteUser(user.id, true);
    expect(error).toBeNull();
    const row = await authUser(user.id);
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(row.email).not.toBe(email);
    expect(row.email).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row).toMatchObject({ encrypted_password: null, raw_user_meta_data: {}, raw_app_meta_data: {} });
    const [identity] = await sql`select identity_data, provider_id from auth.identities where user_id = ${user.id}`;
    expect(identity.identity_data).toEqual({});
    expect(identity.provider_id).not.toBe(user.id);
    const [{ sessions }] = await sql`select count(*)::int as sessions from auth.sessions where user_id = ${user.id}`;
    expect(sessions).toBe(0);
  });
});

describe("API keys, as the platform and GoTrue answer them", () => {
  const adminUsers = `${stack.url}/auth/v1/admin/users`;

  it("the publishable key reaches GoTrue as anon: 403 not_admin", async () => {
    const publishable = serverClient(stack.publishableKey).auth.admin;
    const { data, error } = await publishable.createUser({ email: uniqueEmail("not-admin") });
    expect(data.user).toBeNull();
    expect(refusal(error)).toEqual({ status: 403, code: "not_admin", message: "User not allowed" });
  });

  it("a signed-in user's token is no admin either", async () => {
    const { accessToken } = await auth.tokenFor(uniqueEmail("plain"));
    const response = await fetch(adminUsers, { headers: { apikey: stack.publishableKey, authorization: `Bearer ${accessToken}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ code: 403, error_code: "not_admin", msg: "User not allowed" });
  });

  it("no key, or a key the project does not have: the gateway's 401", async () => {
    const none = await fetch(adminUsers);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: "No API key found in request", hint: "No `apikey` request header or url param was found." });

    const wrong = await fetch(adminUsers, { headers: { apikey: "sb_secret_not-this-projects", authorization: "Bearer sb_secret_not-this-projects" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." });
  });

  it("the secret key in the apikey header alone is enough", async () => {
    const response = await fetch(`${adminUsers}?per_page=1`, { headers: { apikey: stack.secretKey } });
    expect(response.status).toBe(200);
    const total = Number(response.headers.get("x-total-count"));
    expect(total).toBeGreaterThan(1);
    // GoTrue's links are relative to its own root (the gateway strips /auth/v1).
    expect(response.headers.get("link")).toBe(`</admin/users?page=2&per_page=1>; rel="next", </admin/users?page=${total}&per_page=1>; rel="last"`);
    expect(await response.json()).toMatchObject({ aud: "authenticated", users: [expect.objectContaining({ identities: null })] });
  });

  it("without X-Supabase-Api-Version, errors keep GoTrue's original shape", async () => {
    const email = uniqueEmail("legacy-shape");
    await created({ email });
    const response = await fetch(adminUsers, {
      method: "POST",
      headers: { apikey: stack.secretKey, "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("x-sb-error-code")).toBe("email_exists");
    expect(await response.json()).toEqual({ code: 422, error_code: "email_exists", msg: DUPLICATE });
  });
});
