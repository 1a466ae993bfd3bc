// The Supabase Auth stand-in: users written like GoTrue writes them, tokens with
// GoTrue's claims, and the custom access token hook called under GoTrue's contract.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import postgres from "postgres";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { AuthError, requiredClaimsSchema, runAccessTokenHook } from "../../stack/auth.ts";
import { projectRoot } from "../../stack/settings.ts";
import { authService, connect, stack, uniqueEmail } from "../helpers/stack.ts";

const auth = authService();
const sql = connect();
const jwks = createRemoteJWKSet(new URL(`${stack.url}/auth/v1/.well-known/jwks.json`));

describe("signup like Supabase Auth", () => {
  it("writes auth.users with GoTrue's defaults: '' token columns, role and aud authenticated, email provider", async () => {
    const email = uniqueEmail("signup");
    const user = await auth.signUp({ email, userMetadata: { full_name: "Ada Lovelace" } });
    const [row] = await sql`select * from auth.users where id = ${user.id}`;
    expect(row).toMatchObject({
      instance_id: "00000000-0000-0000-0000-000000000000",
      aud: "authenticated",
      role: "authenticated",
      email,
      confirmation_token: "",
      recovery_token: "",
      email_change_token_new: "",
      email_change: "",
      phone_change: "",
      reauthentication_token: "",
      is_sso_user: false,
      is_anonymous: false,
      raw_app_meta_data: { provider: "email", providers: ["email"] },
    });
    expect(row.raw_user_meta_data).toMatchObject({ full_name: "Ada Lovelace", sub: user.id, email, email_verified: true });
    expect(row.email_confirmed_at).toBeInstanceOf(Date);
    expect(row.confirmed_at).toEqual(row.email_confirmed_at);
  });

  it("creates the email identity keyed by the user id", async () => {
    const user = await auth.signUp({ email: uniqueEmail("identity") });
    const identities = await sql`select provider, provider_id, email, identity_data from auth.identities where user_id = ${user.id}`;
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ provider: "email", provider_id: user.id, email: user.email });
    expect(identities[0].identity_data).toMatchObject({ sub: user.id, email: user.email });
  });

  it("rejects a second signup for the same email with 422, as GoTrue does", async () => {
    const email = uniqueEmail("twice");
    await auth.signUp({ email });
    await expect(auth.signUp({ email })).rejects.toMatchObject({ status: 422, message: "User already registered" });
  });

  it("keeps non-object metadata out of raw_user_meta_data instead of failing", async () => {
    const user = await auth.signUp({ email: uniqueEmail("odd"), userMetadata: "just a string" });
    expect(user.raw_user_meta_data).not.toHaveProperty("0");
  });
});

describe("sign-in and access tokens", () => {
  it("creates a session, records the method and updates last_sign_in_at", async () => {
    const user = await auth.signUp({ email: uniqueEmail("signin") });
    const issued = await auth.signIn(user.id);
    const [session] = await sql`select user_id, aal::text from auth.sessions where id = ${issued.sessionId}`;
    expect(session).toEqual({ user_id: user.id, aal: "aal1" });
    const [amr] = await sql`select authentication_method from auth.mfa_amr_claims where session_id = ${issued.sessionId}`;
    expect(amr.authentication_method).toBe("otp");
    const [row] = await sql`select last_sign_in_at from auth.users where id = ${user.id}`;
    expect(row.last_sign_in_at).toBeInstanceOf(Date);
  });

  it("issues an ES256 token with a kid, verifiable against the gateway's JWKS", async () => {
    const issued = await auth.tokenFor(uniqueEmail("jwks"));
    expect(decodeProtectedHeader(issued.accessToken)).toMatchObject({ alg: "ES256", typ: "JWT" });
    const { payload } = await jwtVerify(issued.accessToken, jwks, { issuer: `${stack.url}/auth/v1`, audience: "authenticated" });
    expect(payload.sub).toBe(issued.user.id);
  });

  it("carries every claim Supabase Auth issues", async () => {
    const issued = await auth.tokenFor(uniqueEmail("claims"));
    const claims = issued.claims;
    expect(requiredClaimsSchema.safeParse(claims).success).toBe(true);
    for (const name of ["iss", "sub", "aud", "exp", "iat", "role", "email", "phone", "app_metadata", "user_metadata", "session_id", "aal", "amr", "is_anonymous"]) {
      expect(claims, name).toHaveProperty(name);
    }
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(claims.role).toBe("authenticated");
  });

  it("reuses the existing user when a token is requested again for the same email", async () => {
    const email = uniqueEmail("again");
    const first = await auth.tokenFor(email);
    const second = await auth.tokenFor(email);
    expect(second.user.id).toBe(first.user.id);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it("`npm run token -- <email>` prints a token for that user", async () => {
    const email = uniqueEmail("cli");
    const { stdout } = await promisify(execFile)(path.join(projectRoot, "node_modules", ".bin", "tsx"), ["stack/cli.ts", "token", email], {
      cwd: projectRoot,
      env: { ...process.env, SUPABASE_DB_URL: stack.dbUrl, SUPABASE_URL: stack.url },
    });
    const { payload } = await jwtVerify(stdout.trim(), jwks);
    expect(payload.email).toBe(email);
  });
});

describe("custom access token hook contract", () => {
  // Hooks under test are temporary functions, created on a supabase_auth_admin
  // connection like the one GoTrue uses, inside a transaction that is rolled back.
  const authAdmin = postgres(stack.authAdminUrl, { max: 1, onnotice: () => {} });
  afterAll(() => authAdmin.end());
  const event = {
    user_id: "4f1c5c66-6f5e-4bb0-9d5f-0a1d8c7d2a10",
    authentication_method: "otp" as const,
    claims: {
      aud: "authenticated", exp: 2, iat: 1, sub: "4f1c5c66-6f5e-4bb0-9d5f-0a1d8c7d2a10", email: "a@b.c", phone: "",
      role: "authenticated", aal: "aal1", session_id: "s", is_anonymous: false,
    },
  };

  async function withHook<T>(body: string, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    let result: T | undefined;
    await authAdmin
      .begin(async (tx) => {
        await tx.unsafe(`create function pg_temp.hook(event jsonb) returns jsonb language sql as $$ ${body} $$`);
        result = await fn(tx);
        throw new Error("rollback");
      })
      .catch((error) => {
        if (error.message !== "rollback") throw error;
      });
    return result as T;
  }

  const call = (tx: postgres.TransactionSql) => runAccessTokenHook(tx, { uri: "pg-functions://postgres/pg_temp/hook", schema: "pg_temp", name: "hook" }, event);

  it("runs as supabase_auth_admin under a 2 s statement timeout", async () => {
    const claims = await withHook(
      `select jsonb_build_object('claims', event->'claims' || jsonb_build_object('who', current_user, 'timeout', current_setting('statement_timeout')))`,
      call,
    );
    expect(claims).toMatchObject({ who: "supabase_auth_admin", timeout: "2s" });
  });

  it("an error object becomes that HTTP status and message", async () => {
    await withHook(`select '{"error":{"http_code":403,"message":"account disabled"}}'::jsonb`, async (tx) => {
      const error = await call(tx).catch((e) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ status: 403, message: "account disabled" });
    });
  });

  it("an error object with an empty message is ignored", async () => {
    const claims = await withHook(`select jsonb_build_object('error', '{"message":""}'::jsonb, 'claims', event->'claims')`, call);
    expect(claims).toMatchObject({ sub: event.user_id });
  });

  it("output without claims is a 500", async () => {
    await withHook(`select '{}'::jsonb`, async (tx) => {
      await expect(call(tx)).rejects.toMatchObject({ status: 500, message: "output claims field is missing" });
    });
  });

  it("claims missing a required field are a 500", async () => {
    await withHook(`select jsonb_build_object('claims', (event->'claims') - 'session_id')`, async (tx) => {
      await expect(call(tx)).rejects.toMatchObject({ status: 500, message: "output claims do not conform to the expected schema" });
    });
  });

  it("a hook slower than 2 s fails with GoTrue's runHook error (hook_timeout is for HTTP hooks only)", async () => {
    await withHook(`select pg_sleep(2.5); select jsonb_build_object('claims', event->'claims')`, async (tx) => {
      await expect(call(tx)).rejects.toMatchObject({ status: 500, message: "Error running hook URI: pg-functions://postgres/pg_temp/hook" });
    });
  });
});

describe("the gateway", () => {
  it("answers an unknown path with 404 in the documented error format, debug id in x-debug-id", async () => {
    for (const url of [`${stack.url}/functions/v1/no-such-function`, `${stack.url}/nowhere`]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      const body = await response.json();
      expect(body, url).toEqual({ error: { code: "not_found", message: expect.any(String), debug_id: expect.any(String) } });
      expect(body.error.message.length, url).toBeGreaterThan(0);
      expect(response.headers.get("x-debug-id"), url).toBe(body.error.debug_id);
    }
  });
});
