// The Supabase Auth stand-in answers supabase-js's sign-in calls as GoTrue does: the
// password grant and its refusals, the magic link (PKCE) through the local mailbox,
// refresh with rotation, sign-out, GET /user.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { serverClient, stack, uniqueEmail } from "../helpers/stack.ts";

const admin = serverClient(stack.secretKey).auth.admin;
const consoleUrl = `${stack.url}/console/`;

/** Node 20 has no WebSocket; supabase-js builds its realtime client anyway, and nothing here subscribes. */
class NoWebSocket {
  constructor() {
    throw new Error("realtime is not part of the local stack");
  }
}

/** supabase-js as the console uses it: PKCE, its own storage, no timers. */
function browserLikeClient(): SupabaseClient {
  const store = new Map<string, string>();
  return createClient(stack.url, stack.publishableKey, {
    realtime: { transport: NoWebSocket as never },
    auth: {
      flowType: "pkce",
      autoRefreshToken: false,
      detectSessionInUrl: false,
      storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    },
  });
}

async function userWithPassword(label: string, password: string, options: { confirmed?: boolean; ban?: string } = {}) {
  const email = uniqueEmail(label);
  const { data, error } = await admin.createUser({ email, password, email_confirm: options.confirmed ?? true, ban_duration: options.ban });
  expect(error).toBeNull();
  return { email, id: data.user!.id };
}

async function mailTo(email: string) {
  const res = await fetch(`${stack.url}/mailbox/messages?to=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { subject: string; link: string; text: string }[] }).messages;
}

async function tokenCall(grant: string, body: unknown) {
  const res = await fetch(`${stack.url}/auth/v1/token?grant_type=${grant}`, {
    method: "POST",
    headers: { apikey: stack.publishableKey, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe("password sign-in (POST /token?grant_type=password)", () => {
  it("signs a confirmed user in: a session with GoTrue's fields, the user with identities", async () => {
    const user = await userWithPassword("pw-ok", "correct horse battery");
    const { data, error } = await browserLikeClient().auth.signInWithPassword({ email: user.email.toUpperCase(), password: "correct horse battery" });
    expect(error).toBeNull();
    expect(data.session).toMatchObject({ token_type: "bearer", expires_in: 3600, refresh_token: expect.any(String) });
    expect(data.session!.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(data.user).toMatchObject({ id: user.id, email: user.email, identities: [expect.objectContaining({ provider: "email" })] });
    const claims = JSON.parse(Buffer.from(data.session!.access_token.split(".")[1], "base64url").toString());
    expect(claims.amr).toEqual([{ method: "password", timestamp: expect.any(Number) }]);
  });

  it("refuses a wrong password and an unknown address alike: 400 invalid_credentials", async () => {
    const user = await userWithPassword("pw-wrong", "correct horse battery");
    for (const credentials of [{ email: user.email, password: "wrong" }, { email: uniqueEmail("nobody"), password: "x" }]) {
      expect(await tokenCall("password", credentials)).toEqual({ status: 400, body: { code: "invalid_credentials", message: "Invalid login credentials" } });
    }
    const { error } = await browserLikeClient().auth.signInWithPassword({ email: user.email, password: "wrong" });
    expect({ status: error?.status, code: error?.code, message: error?.message }).toEqual({ status: 400, code: "invalid_credentials", message: "Invalid login credentials" });
  });

  it("refuses an unconfirmed address (after the password check) and a banned user, as GoTrue does", async () => {
    const unconfirmed = await userWithPassword("pw-unconfirmed", "pass-word-1", { confirmed: false });
    expect(await tokenCall("password", { email: unconfirmed.email, password: "pass-word-1" })).toEqual({ status: 400, body: { code: "email_not_confirmed", message: "Email not confirmed" } });
    expect((await tokenCall("password", { email: unconfirmed.email, password: "nope" })).body.code).toBe("invalid_credentials");
    const banned = await userWithPassword("pw-banned", "pass-word-1", { ban: "24h" });
    expect(await tokenCall("password", { email: banned.email, password: "pass-word-1" })).toEqual({ status: 400, body: { code: "user_banned", message: "User is banned" } });
  });

  it("wants an API key, as the platform's gateway does", async () => {
    const res = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe("No API key found in request");
  });
});

describe("refresh and sign-out", () => {
  it("a refresh rotates the token; the old one is refused after the reuse interval's check, the new one works", async () => {
    const user = await userWithPassword("refresh", "pass-word-1");
    const client = browserLikeClient();
    const { data } = await client.auth.signInWithPassword({ email: user.email, password: "pass-word-1" });
    const first = data.session!;
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session!.refresh_token).not.toBe(first.refresh_token);
    const claims = JSON.parse(Buffer.from(refreshed.data.session!.access_token.split(".")[1], "base64url").toString());
    expect(claims.session_id).toBe(JSON.parse(Buffer.from(first.access_token.split(".")[1], "base64url").toString()).session_id);
    // Within the reuse interval the parent answers with its active child (two tabs refreshing at once).
    expect((await tokenCall("refresh_token", { refresh_token: first.refresh_token })).body.refresh_token).toBe(refreshed.data.session!.refresh_token);
    expect(await tokenCall("refresh_token", { refresh_token: "not-a-token" })).toEqual({
      status: 400,
      body: { code: "refresh_token_not_found", message: "Invalid Refresh Token: Refresh Token Not Found" },
    });
  });

  it("signOut ends the session: its refresh token no longer works, GET /user refuses its access token", async () => {
    const user = await userWithPassword("logout", "pass-word-1");
    const client = browserLikeClient();
    const { data } = await client.auth.signInWithPassword({ email: user.email, password: "pass-word-1" });
    const session = data.session!;
    const me = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.publishableKey, authorization: `Bearer ${session.access_token}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).email).toBe(user.email);
    expect((await client.auth.signOut()).error).toBeNull();
    expect(await tokenCall("refresh_token", { refresh_token: session.refresh_token })).toEqual({
      status: 400,
      body: { code: "refresh_token_not_found", message: "Invalid Refresh Token: Refresh Token Not Found" },
    });
    const after = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.publishableKey, authorization: `Bearer ${session.access_token}`, "x-supabase-api-version": "2024-01-01" } });
    expect({ status: after.status, body: await after.json() }).toEqual({ status: 403, body: { code: "session_not_found", message: "Session from session_id claim in JWT does not exist" } });
  });
});

describe("magic link (POST /otp, GET /verify, POST /token?grant_type=pkce)", () => {
  async function requestLink(client: SupabaseClient, email: string) {
    const { error } = await client.auth.signInWithOtp({ email, options: { emailRedirectTo: consoleUrl } });
    expect(error).toBeNull();
    const mail = (await mailTo(email)).at(-1)!;
    expect(mail.subject).toBe("Your Magic Link");
    return mail.link;
  }

  it("the mailbox holds a PKCE link; following it lands on the redirect with ?code=, which signs the user in", async () => {
    const email = uniqueEmail("magic");
    const client = browserLikeClient();
    const link = await requestLink(client, email);
    expect(link).toMatch(new RegExp(`^${stack.url}/auth/v1/verify\\?token=pkce_[0-9a-f]{56}&type=magiclink&redirect_to=`));
    const verified = await fetch(link, { redirect: "manual" });
    expect(verified.status).toBe(303);
    const landing = new URL(verified.headers.get("location")!);
    expect(`${landing.origin}${landing.pathname}`).toBe(consoleUrl);
    const { data, error } = await client.auth.exchangeCodeForSession(landing.searchParams.get("code")!);
    expect(error).toBeNull();
    expect(data.user!.email).toBe(email);
    // A link is used once; the code too.
    const again = new URL((await fetch(link, { redirect: "manual" })).headers.get("location")!);
    expect(Object.fromEntries(again.searchParams)).toMatchObject({ error: "access_denied", error_code: "otp_expired", error_description: "Email link is invalid or has expired" });
    expect((await tokenCall("pkce", { auth_code: landing.searchParams.get("code"), code_verifier: "x".repeat(43) })).body.code).toBe("flow_state_not_found");
  });

  it("a code exchanged without the verifier the link was requested with is refused", async () => {
    const email = uniqueEmail("magic-verifier");
    const link = await requestLink(browserLikeClient(), email);
    const code = new URL((await fetch(link, { redirect: "manual" })).headers.get("location")!).searchParams.get("code");
    expect(await tokenCall("pkce", { auth_code: code, code_verifier: "y".repeat(43) })).toEqual({
      status: 400,
      body: { code: "bad_code_verifier", message: "code challenge does not match previously saved code verifier" },
    });
  });

  it("a banned user's link redirects with GoTrue's 403 user_banned in the query and the fragment", async () => {
    const user = await userWithPassword("magic-banned", "pass-word-1");
    const link = await requestLink(browserLikeClient(), user.email);
    await admin.updateUserById(user.id, { ban_duration: "1h" });
    const landing = new URL((await fetch(link, { redirect: "manual" })).headers.get("location")!);
    const expected = { error: "access_denied", error_code: "user_banned", error_description: "User is banned" };
    expect(Object.fromEntries(landing.searchParams)).toEqual(expected);
    expect(Object.fromEntries(new URLSearchParams(landing.hash.slice(1)))).toEqual(expected);
  });

  it("a redirect to another host than the site URL's (or the allow list's) falls back to the site URL", async () => {
    const email = uniqueEmail("magic-elsewhere");
    const client = browserLikeClient();
    await client.auth.signInWithOtp({ email, options: { emailRedirectTo: "https://evil.example/steal" } });
    const link = (await mailTo(email)).at(-1)!.link;
    expect(new URL(link).searchParams.get("redirect_to")).toBe("http://127.0.0.1:3000");
  });

  it("create_user false for an unknown address is 422 otp_disabled", async () => {
    const { error } = await browserLikeClient().auth.signInWithOtp({ email: uniqueEmail("no-signup"), options: { shouldCreateUser: false } });
    expect({ status: error?.status, code: error?.code }).toEqual({ status: 422, code: "otp_disabled" });
  });
});
