// A stand-in for Supabase Auth's signup and token endpoints: it writes auth.users and
// auth.identities the way GoTrue does (same role, same statement order, same defaults,
// so signup and sign-in triggers fire as in production) and issues ES256 access tokens
// with GoTrue's claims, passed through the registered custom access token hook.
import { randomBytes, randomUUID } from "node:crypto";
import postgres from "postgres";
import { SignJWT } from "jose";
import { z } from "zod";
import { privateSigningKey, projectKeys } from "./keys.ts";
import { loadProjectConfig, type HookFunction } from "./project-config.ts";

const NIL_INSTANCE = "00000000-0000-0000-0000-000000000000";
/** Supabase Auth runs hooks under this statement timeout (milliseconds). */
export const HOOK_TIMEOUT_MS = 2000;

export type AuthMethod = "password" | "otp" | "oauth" | "magiclink" | "sso" | "token_refresh" | "anonymous";

export interface AuthUser {
  id: string;
  email: string | null;
  phone: string | null;
  role: string;
  aud: string;
  is_anonymous: boolean;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
}

export interface SignUpInput {
  email: string;
  /** What a client passes as `options.data`: arbitrary, possibly odd, JSON. */
  userMetadata?: unknown;
}

export interface IssuedToken {
  accessToken: string;
  claims: Record<string, unknown>;
  user: AuthUser;
  sessionId: string;
}

/** An error as Supabase Auth would answer it (status and message). */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The claims contract GoTrue checks on the hook's output. */
export const requiredClaimsSchema = z
  .object({
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]),
    exp: z.number(),
    iat: z.number(),
    sub: z.string(),
    email: z.string(),
    phone: z.string(),
    role: z.string(),
    aal: z.string(),
    session_id: z.string(),
    is_anonymous: z.boolean(),
  })
  .passthrough();

const hookOutputSchema = z.object({
  error: z.object({ http_code: z.number().optional(), message: z.string().optional() }).optional(),
  claims: z.record(z.string(), z.unknown()).nullish(),
});

type Sql = postgres.Sql;

export interface AuthServiceOptions {
  /** Login URL for supabase_auth_admin (GoTrue's database role). */
  authAdminUrl: string;
  /** The project URL; the issuer is `<url>/auth/v1`. */
  supabaseUrl: string;
}

export class AuthService {
  private readonly sql: Sql;
  private readonly config = loadProjectConfig();

  constructor(private readonly options: AuthServiceOptions) {
    this.sql = postgres(options.authAdminUrl, { max: 4, onnotice: () => {} });
  }

  close(): Promise<void> {
    return this.sql.end();
  }

  get issuer(): string {
    return `${this.options.supabaseUrl.replace(/\/$/, "")}/auth/v1`;
  }

  /**
   * A passwordless signup (email OTP / magic link) with autoconfirm: one transaction,
   * INSERT then UPDATEs, as GoTrue. GoTrue stores '' as the password of such users.
   */
  async signUp(input: SignUpInput): Promise<AuthUser> {
    const email = input.email.trim().toLowerCase();
    const id = randomUUID();
    const data = input.userMetadata && typeof input.userMetadata === "object" ? input.userMetadata : {};
    const identityData = { sub: id, email, email_verified: false, phone_verified: false };
    try {
      return await this.sql.begin(async (tx) => {
        await tx`
          insert into users (instance_id, id, aud, role, email, encrypted_password,
                             raw_app_meta_data, raw_user_meta_data, is_super_admin,
                             confirmation_token, recovery_token, email_change_token_new, email_change,
                             created_at, updated_at, is_sso_user, is_anonymous)
          values (${NIL_INSTANCE}, ${id}, 'authenticated', '', ${email}, '',
                  ${tx.json({ provider: "email", providers: ["email"] })}, ${tx.json(data as postgres.JSONValue)}, null,
                  '', '', '', '', now(), now(), false, false)`;
        await tx`update users set role = 'authenticated', updated_at = now() where id = ${id}`;
        await tx`
          insert into identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
          values (${id}, ${id}, ${tx.json(identityData)}, 'email', now(), now(), now())`;
        await tx`
          update users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${tx.json(identityData)},
                           updated_at = now()
          where id = ${id}`;
        // Autoconfirm: the address counts as verified from here on.
        const verified = tx.json({ email_verified: true });
        await tx`
          update users set email_confirmed_at = now(), updated_at = now(),
                           raw_user_meta_data = raw_user_meta_data || ${verified}
          where id = ${id}`;
        await tx`update identities set identity_data = identity_data || ${verified} where user_id = ${id}`;
        const [user] = await tx<AuthUser[]>`${userColumns(tx)} where id = ${id}`;
        return user;
      });
    } catch (error) {
      if (error instanceof postgres.PostgresError && error.code === "23505" && error.constraint_name === "users_email_partial_key") {
        throw new AuthError(422, "User already registered");
      }
      // GoTrue hides the cause behind this message; keep it for the log.
      throw Object.assign(new AuthError(500, "Database error saving new user"), { cause: error });
    }
  }

  async findUserByEmail(email: string): Promise<AuthUser | undefined> {
    const [user] = await this.sql<AuthUser[]>`
      ${userColumns(this.sql)} where email = ${email.trim().toLowerCase()} and is_sso_user = false`;
    return user;
  }

  /** Verifying the OTP: a session, then an access token. */
  async signIn(userId: string, method: AuthMethod = "otp"): Promise<IssuedToken> {
    try {
      return await this.sql.begin(async (tx) => {
        await tx`update users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
        const sessionId = randomUUID();
        await tx`
          insert into sessions (id, user_id, created_at, updated_at, aal)
          values (${sessionId}, ${userId}, now(), now(), 'aal1')`;
        await tx`
          insert into refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
          values (${NIL_INSTANCE}, ${randomBytes(12).toString("base64url")}, ${userId}, false, now(), now(), ${sessionId})`;
        await tx`
          insert into mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
          values (${sessionId}, now(), now(), ${method}, ${randomUUID()})`;
        return this.issue(tx, userId, sessionId, method);
      });
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw Object.assign(new AuthError(500, "Database error granting user"), { cause: error });
    }
  }

  /** Signs in the user with this email, signing them up first if they do not exist. */
  async tokenFor(email: string, userMetadata?: unknown): Promise<IssuedToken> {
    const user = (await this.findUserByEmail(email)) ?? (await this.signUp({ email, userMetadata }));
    return this.signIn(user.id);
  }

  private async issue(tx: postgres.TransactionSql, userId: string, sessionId: string, method: AuthMethod): Promise<IssuedToken> {
    const [user] = await tx<AuthUser[]>`${userColumns(tx)} where id = ${userId} for update`;
    if (!user) throw new AuthError(404, "User not found");
    const now = Math.floor(Date.now() / 1000);
    let claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: user.aud,
      exp: now + this.config.jwtExpiry,
      iat: now,
      sub: user.id,
      email: user.email ?? "",
      phone: user.phone ?? "",
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role,
      aal: "aal1",
      amr: [{ method, timestamp: now }],
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    };
    if (this.config.accessTokenHook) {
      claims = await runAccessTokenHook(tx, this.config.accessTokenHook, { user_id: user.id, claims, authentication_method: method });
    }
    const keys = await projectKeys();
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" })
      .sign(await privateSigningKey());
    return { accessToken, claims, user, sessionId };
  }
}

function userColumns(sql: Sql | postgres.TransactionSql) {
  return sql`select id, email, phone, role, aud, is_anonymous, raw_app_meta_data, raw_user_meta_data from users`;
}

/**
 * Calls the hook as GoTrue does: `select "<schema>"."<fn>"(event)` as supabase_auth_admin
 * under a 2 s statement timeout, inside the token transaction; then enforces its
 * output contract (error object, claims present, required claims well-typed).
 */
export async function runAccessTokenHook(
  tx: postgres.TransactionSql,
  hook: HookFunction,
  event: { user_id: string; claims: Record<string, unknown>; authentication_method: AuthMethod },
): Promise<Record<string, unknown>> {
  let output: unknown;
  try {
    await tx.unsafe(`set local statement_timeout = '${HOOK_TIMEOUT_MS}'`);
    const [row] = await tx`select ${tx(hook.schema)}.${tx(hook.name)}(${tx.json(event as postgres.JSONValue)}::jsonb) as output`;
    output = row.output;
    await tx.unsafe("set local statement_timeout = 0");
  } catch (error) {
    const timedOut = error instanceof postgres.PostgresError && error.code === "57014";
    throw Object.assign(
      new AuthError(500, timedOut ? "failed to reach hook within maximum time of 2.000000 seconds" : "Error running hook URI"),
      { cause: error },
    );
  }
  const parsed = hookOutputSchema.safeParse(output);
  if (!parsed.success) throw new AuthError(500, "Error running hook URI: invalid output");
  // An error object with an empty message is ignored, as GoTrue does.
  const hookError = parsed.data.error;
  if (hookError?.message) throw new AuthError(hookError.http_code ?? 500, hookError.message);
  if (!parsed.data.claims) throw new AuthError(500, "output claims field is missing");
  const claims = requiredClaimsSchema.safeParse(parsed.data.claims);
  if (!claims.success) throw new AuthError(500, "output claims do not conform to the expected schema");
  return claims.data;
}
