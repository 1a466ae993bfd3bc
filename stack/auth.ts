// A stand-in for Supabase Auth: signup, sign-in and the admin user API. It writes
// auth.users and auth.identities the way GoTrue does (same role, same statement order,
// same defaults, so Tenantry's signup, update and delete triggers fire as in production)
// and issues ES256 access tokens with GoTrue's claims, passed through the registered
// custom access token hook. The admin methods follow internal/api/admin.go and invite.go.
import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import postgres from "postgres";
import { SignJWT } from "jose";
import { z } from "zod";
import { BCRYPT_MAX_BYTES, hashPassword } from "./bcrypt.ts";
import { parseGoDuration } from "./go-duration.ts";
import {
  AuthError,
  DUPLICATE_EMAIL,
  EMAIL_PROVIDER,
  NIL_INSTANCE,
  goTrueUser,
  identityRows,
  isUuid,
  merged,
  userRows,
  validEmail,
  validationFailed,
  type GoTrueUser,
  type Metadata,
  type UserRow,
} from "./gotrue-model.ts";
import { privateSigningKey, projectKeys } from "./keys.ts";
import { loadProjectConfig, type HookFunction } from "./project-config.ts";

export { AuthError, type GoTrueUser } from "./gotrue-model.ts";
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
  /** The session's current refresh token (refresh_tokens.token). */
  refreshToken: string;
}

/** GoTrue's AdminUserParams: what POST and PUT /admin/users take (JSON names). */
export interface AdminUserParams {
  id?: string;
  aud?: string;
  role?: string;
  email?: string;
  phone?: string;
  password?: string | null;
  password_hash?: string;
  email_confirm?: boolean;
  phone_confirm?: boolean;
  user_metadata?: Metadata | null;
  app_metadata?: Metadata | null;
  ban_duration?: string;
}

export interface InviteParams {
  email?: string;
  data?: Metadata | null;
}

export interface UserPage {
  users: GoTrueUser[];
  aud: string;
  /** Users in the audience, for X-Total-Count and the Link header. */
  total: number;
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
  /** The custom access token hook, instead of config.toml's (a test wrapping it to make it slow). */
  accessTokenHook?: HookFunction;
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
    const data = input.userMetadata && typeof input.userMetadata === "object" ? (input.userMetadata as Metadata) : {};
    try {
      return await this.sql.begin(async (tx) => {
        await insertUser(tx, { id, email, encryptedPassword: "", userMetadata: data });
        await setRole(tx, id);
        const identityData = await insertEmailIdentity(tx, id, email);
        await tx`
          update users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${json(tx, identityData)},
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
        throw new AuthError(422, "User already registered", "user_already_exists");
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

  /** Verifying the OTP: a session, then an access token. A banned user gets neither. */
  async signIn(userId: string, method: AuthMethod = "otp"): Promise<IssuedToken> {
    try {
      return await this.sql.begin(async (tx) => {
        const [user] = await tx`select banned_until > now() as banned from users where id = ${userId}`;
        if (user?.banned) throw bannedError(method);
        await tx`update users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
        const sessionId = randomUUID();
        await tx`
          insert into sessions (id, user_id, created_at, updated_at, aal)
          values (${sessionId}, ${userId}, now(), now(), 'aal1')`;
        const refreshToken = newRefreshToken();
        await tx`
          insert into refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
          values (${NIL_INSTANCE}, ${refreshToken}, ${userId}, false, now(), now(), ${sessionId})`;
        await tx`
          insert into mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
          values (${sessionId}, now(), now(), ${method}, ${randomUUID()})`;
        return this.issue(tx, userId, sessionId, method, refreshToken);
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

  // ── the admin API (internal/api/admin.go, invite.go) ──────────────────────────

  /** POST /admin/users: the user, its email identity, role, app metadata, confirmation and ban, in one transaction. */
  async createUser(params: AdminUserParams): Promise<GoTrueUser> {
    refuseUnemulated(params, ["id", "aud", "role", "phone", "phone_confirm", "password_hash"]);
    if (!params.email) throw validationFailed("Cannot create a user without either an email or phone");
    const email = validEmail(params.email);
    if (await this.emailTaken(email)) throw new AuthError(422, DUPLICATE_EMAIL, "email_exists");
    // Without a password GoTrue stores the hash of a random one; bcrypt runs before the transaction.
    const password = params.password || randomPassword();
    if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) throw validationFailed("bcrypt: password length exceeds 72 bytes");
    const encryptedPassword = hashPassword(password);
    const ban = banDuration(params.ban_duration);
    const id = randomUUID();
    try {
      await this.sql.begin(async (tx) => {
        let userMetadata = params.user_metadata ?? {};
        await insertUser(tx, { id, email, encryptedPassword, userMetadata });
        await insertEmailIdentity(tx, id, email);
        await setRole(tx, id);
        if (params.app_metadata) await setMetadata(tx, id, "raw_app_meta_data", merged(EMAIL_PROVIDER, params.app_metadata));
        if (params.email_confirm) userMetadata = await confirmEmail(tx, id, userMetadata);
        if (ban !== undefined) await setBan(tx, id, ban);
      });
    } catch (error) {
      throw Object.assign(new AuthError(500, "Database error creating new user"), { cause: error });
    }
    return this.getUser(id);
  }

  /**
   * POST /invite: a new user without a password (or an existing unconfirmed one), the hash
   * of an emailed OTP in confirmation_token, invited_at set. No mail leaves the machine.
   */
  async inviteUser(params: InviteParams): Promise<GoTrueUser> {
    const email = validEmail(params.email ?? "");
    const [existing] = await this.sql<{ id: string; email: string; email_confirmed_at: Date | null }[]>`
      select id, email, email_confirmed_at from users
      where instance_id = ${NIL_INSTANCE} and lower(email) = ${email} and aud = 'authenticated' and is_sso_user = false`;
    if (existing?.email_confirmed_at) throw new AuthError(422, DUPLICATE_EMAIL, "email_exists");
    const id = existing?.id ?? randomUUID();
    const otp = String(randomInt(0, 1_000_000)).padStart(6, "0");
    // crypto.GenerateTokenHash: hex SHA-224 of the address and the OTP.
    const tokenHash = createHash("sha224").update((existing?.email ?? email) + otp).digest("hex");
    try {
      await this.sql.begin(async (tx) => {
        if (!existing) {
          await insertUser(tx, { id, email, encryptedPassword: "", userMetadata: params.data ?? {} });
          await setRole(tx, id);
          await insertEmailIdentity(tx, id, email);
        }
        await tx`
          update users set confirmation_token = ${tokenHash}, confirmation_sent_at = now(), invited_at = now(), updated_at = now()
          where id = ${id}`;
      });
    } catch (error) {
      throw Object.assign(new AuthError(500, "Database error saving new user"), { cause: error });
    }
    return this.getUser(id);
  }

  /** GET /admin/users/{id}: the user with its identities. */
  async getUser(id: string): Promise<GoTrueUser> {
    const user = await this.loadUser(id);
    return goTrueUser(user, await identityRows(this.sql, id));
  }

  /** GET /admin/users: newest first, as FindUsersInAudience pages them (identities not loaded). */
  async listUsers(page: number, perPage: number): Promise<UserPage> {
    const where = this.sql`where instance_id = ${NIL_INSTANCE} and aud = 'authenticated'`;
    const rows = await this.sql<UserRow[]>`
      ${userRows(this.sql)} ${where} order by created_at desc limit ${perPage} offset ${(page - 1) * perPage}`;
    const [{ total }] = await this.sql<{ total: number }[]>`select count(*)::int as total from users ${where}`;
    return { users: rows.map((row) => goTrueUser(row, null)), aud: "authenticated", total };
  }

  /** PUT /admin/users/{id}: confirmation, email (user and identity), metadata and ban, in GoTrue's order. */
  async updateUser(id: string, params: AdminUserParams): Promise<GoTrueUser> {
    refuseUnemulated(params, ["role", "phone", "phone_confirm", "password"]);
    const user = await this.loadUser(id);
    const email = params.email ? validEmail(params.email) : undefined;
    const ban = banDuration(params.ban_duration);
    try {
      await this.sql.begin(async (tx) => {
        let userMetadata = user.raw_user_meta_data;
        if (params.email_confirm) userMetadata = await confirmEmail(tx, id, userMetadata);
        if (email) {
          const change = { email, email_verified: Boolean(params.email_confirm) };
          const [identity] = await tx<{ identity_data: Metadata }[]>`
            select identity_data from identities where provider_id = ${id} and provider = 'email'`;
          if (identity) await updateIdentityData(tx, id, "email", merged(identity.identity_data, change));
          else await insertEmailIdentity(tx, id, email, change.email_verified);
          if (user.is_anonymous && params.email_confirm) await tx`update users set is_anonymous = false, updated_at = now() where id = ${id}`;
          await tx`update users set email = ${email}, updated_at = now() where id = ${id}`;
        }
        if (params.app_metadata) await setMetadata(tx, id, "raw_app_meta_data", merged(user.raw_app_meta_data, params.app_metadata));
        if (params.user_metadata) await setMetadata(tx, id, "raw_user_meta_data", merged(userMetadata, params.user_metadata));
        if (ban !== undefined) await setBan(tx, id, ban);
      });
    } catch (error) {
      throw Object.assign(new AuthError(500, "Error updating user"), { cause: error });
    }
    return this.getUser(id);
  }

  /**
   * DELETE /admin/users/{id}: the row goes (identities, sessions and Tenantry's profile
   * cascade), or with softDelete it stays, obfuscated and emptied, its sessions ended.
   */
  async deleteUser(id: string, softDelete = false): Promise<void> {
    const user = await this.loadUser(id);
    if (!softDelete) {
      try {
        await this.sql`delete from users where id = ${id}`;
      } catch (error) {
        throw Object.assign(new AuthError(500, "Database error deleting user"), { cause: error });
      }
      return;
    }
    if (user.deleted_at) return;
    try {
      await this.sql.begin(async (tx) => {
        await tx`
          update users set email = ${obfuscate(id, user.email ?? "")}, phone = ${obfuscate(id, user.phone ?? "").slice(0, 15)},
                           encrypted_password = null, email_change = ${obfuscate(id, user.email_change ?? "")},
                           phone_change = ${obfuscate(id, user.phone_change ?? "").slice(0, 15)},
                           confirmation_token = '', recovery_token = '', email_change_token_current = '',
                           email_change_token_new = '', phone_change_token = '', deleted_at = now(), updated_at = now()
          where id = ${id}`;
        // GoTrue removes every key, one by one: what is left is {}.
        await setMetadata(tx, id, "raw_user_meta_data", {});
        await setMetadata(tx, id, "raw_app_meta_data", {});
        await tx`delete from sessions where user_id = ${id}`;
        for (const identity of await identityRows(tx, id)) {
          await updateIdentityData(tx, identity.provider_id, identity.provider, {});
          await tx`update identities set provider_id = ${obfuscate(id, `${identity.provider}:${identity.provider_id}`)} where id = ${identity.id}`;
        }
        await tx`delete from mfa_factors where user_id = ${id}`;
      });
    } catch (error) {
      throw Object.assign(new AuthError(500, "Error soft deleting user"), { cause: error });
    }
  }

  /** models.IsDuplicatedEmail: an email identity (not SSO) or, failing that, a user with this address. */
  private async emailTaken(email: string): Promise<boolean> {
    const [taken] = await this.sql`
      select 1 from identities i join users u on u.id = i.user_id
      where i.email = ${email} and i.provider not like 'sso:%' and u.aud = 'authenticated'
      union all
      select 1 from users
      where instance_id = ${NIL_INSTANCE} and lower(email) = ${email} and aud = 'authenticated' and is_sso_user = false
      limit 1`;
    return Boolean(taken);
  }

  /** The loadUser middleware: GoTrue reads the user before, and outside, the handler's transaction. */
  private async loadUser(id: string): Promise<UserRow> {
    if (!isUuid(id)) throw new AuthError(404, "user_id must be an UUID", "validation_failed");
    const [user] = await this.sql<UserRow[]>`${userRows(this.sql)} where instance_id = ${NIL_INSTANCE} and id = ${id}`;
    if (!user) throw new AuthError(404, "User not found", "user_not_found");
    return user;
  }

  /**
   * generateAccessToken: the claims, the hook, the signature. The amr is the session's
   * (mfa_amr_claims, as CalculateAALAndAMR reads it), so a refreshed token keeps the method
   * the session began with while the hook is told `token_refresh`.
   */
  async issue(tx: postgres.TransactionSql, userId: string, sessionId: string, method: AuthMethod, refreshToken: string): Promise<IssuedToken> {
    const [user] = await tx<AuthUser[]>`${userColumns(tx)} where id = ${userId} for update`;
    if (!user) throw new AuthError(404, "User not found");
    const now = Math.floor(Date.now() / 1000);
    const amr = await tx<{ method: string; timestamp: number }[]>`
      select authentication_method as method, extract(epoch from updated_at)::int as timestamp
      from mfa_amr_claims where session_id = ${sessionId} order by updated_at desc`;
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
      amr: amr.length ? amr.map(({ method, timestamp }) => ({ method, timestamp })) : [{ method, timestamp: now }],
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    };
    const hook = this.options.accessTokenHook ?? this.config.accessTokenHook;
    if (hook) {
      claims = await runAccessTokenHook(tx, hook, { user_id: user.id, claims, authentication_method: method });
    }
    const keys = await projectKeys();
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" })
      .sign(await privateSigningKey());
    return { accessToken, claims, user, sessionId, refreshToken };
  }

  /** The stand-in's connection as supabase_auth_admin, for the user-facing endpoints (stack/auth-sessions.ts). */
  get database(): Sql {
    return this.sql;
  }
}

/** A refresh token: 12 random bytes, URL-safe. */
export function newRefreshToken(): string {
  return randomBytes(12).toString("base64url");
}

function userColumns(sql: Sql | postgres.TransactionSql) {
  return sql`select id, email, phone, role, aud, is_anonymous, raw_app_meta_data, raw_user_meta_data from users`;
}

type Tx = postgres.TransactionSql;
const json = (tx: Tx, value: Metadata) => tx.json(value as postgres.JSONValue);

/** tx.Create(user): the role is '' until SetRole, token columns '', the email provider. */
function insertUser(tx: Tx, user: { id: string; email: string; encryptedPassword: string; userMetadata: Metadata }) {
  return tx`
    insert into users (instance_id, id, aud, role, email, encrypted_password,
                       raw_app_meta_data, raw_user_meta_data, is_super_admin,
                       confirmation_token, recovery_token, email_change_token_new, email_change,
                       created_at, updated_at, is_sso_user, is_anonymous)
    values (${NIL_INSTANCE}, ${user.id}, 'authenticated', '', ${user.email}, ${user.encryptedPassword},
            ${json(tx, EMAIL_PROVIDER)}, ${json(tx, user.userMetadata)}, null,
            '', '', '', '', now(), now(), false, false)`;
}

/** SetRole with the default group: the UPDATE that follows every INSERT of a user. */
function setRole(tx: Tx, id: string) {
  return tx`update users set role = 'authenticated', updated_at = now() where id = ${id}`;
}

/** createNewIdentity for the email provider, keyed by the user id; returns its identity_data. */
async function insertEmailIdentity(tx: Tx, id: string, email: string, emailVerified = false): Promise<Metadata> {
  const identityData = { sub: id, email, email_verified: emailVerified, phone_verified: false };
  await tx`
    insert into identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${id}, ${id}, ${json(tx, identityData)}, 'email', now(), now(), now())`;
  return identityData;
}

/** Identity.UpdateIdentityData's raw query (identities have a composite key pop cannot update). */
function updateIdentityData(tx: Tx, providerId: string, provider: string, identityData: Metadata) {
  return tx`
    update identities set identity_data = ${json(tx, identityData)}, updated_at = now()
    where provider = ${provider} and provider_id = ${providerId}`;
}

/** UpdateOnly of a metadata column: GoTrue writes the whole merged map. */
function setMetadata(tx: Tx, id: string, column: "raw_user_meta_data" | "raw_app_meta_data", value: Metadata) {
  return tx`update users set ${tx(column)} = ${json(tx, value)}, updated_at = now() where id = ${id}`;
}

/** User.Confirm: the confirmation, then email_verified in the user's metadata (two UPDATEs). */
async function confirmEmail(tx: Tx, id: string, userMetadata: Metadata | null): Promise<Metadata> {
  await tx`update users set confirmation_token = '', email_confirmed_at = now(), updated_at = now() where id = ${id}`;
  const next = merged(userMetadata, { email_verified: true });
  await setMetadata(tx, id, "raw_user_meta_data", next);
  return next;
}

/** User.Ban: banned_until now + the duration, or NULL for a zero duration ("none"). */
function setBan(tx: Tx, id: string, nanoseconds: bigint) {
  const until = nanoseconds === 0n ? null : tx`now() + ${String(nanoseconds / 1000n)}::bigint * interval '1 microsecond'`;
  return tx`update users set banned_until = ${until}, updated_at = now() where id = ${id}`;
}

/** ban_duration: "" is no change, "none" lifts a ban, anything else is a Go duration. */
function banDuration(text: string | undefined): bigint | undefined {
  if (!text) return undefined;
  if (text === "none") return 0n;
  try {
    return parseGoDuration(text);
  } catch (error) {
    throw validationFailed(`invalid format for ban duration: ${(error as Error).message}`);
  }
}

/** GoTrue's refusals of a banned user differ by grant: the password and refresh grants answer 400, the others 403. */
function bannedError(method: AuthMethod): AuthError {
  if (method === "password") return new AuthError(400, "User is banned", "user_banned");
  if (method === "token_refresh") return new AuthError(400, "Invalid Refresh Token: User Banned", "user_banned");
  return new AuthError(403, "User is banned", "user_banned");
}

/** Parameters GoTrue takes that this stand-in does not emulate: refused, never silently ignored. */
function refuseUnemulated(params: AdminUserParams, fields: (keyof AdminUserParams)[]): void {
  // GoTrue treats a zero value ("", false, null) as not given, except a password on update.
  const given = fields.filter((field) => (field === "password" ? params[field] != null : Boolean(params[field])));
  if (given.length) throw validationFailed(`the local Supabase Auth stand-in does not emulate ${given.join(", ")} (stack/auth.ts)`);
}

/** password.Generate(64, 10, 0, false, true): 64 letters and digits. */
function randomPassword(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return Array.from({ length: 64 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** models.obfuscateValue: what a soft delete leaves of an address, phone or provider id. */
function obfuscate(id: string, value: string): string {
  return createHash("sha256").update(id + value).digest("base64url");
}

/**
 * Calls the hook as GoTrue does: `select "<schema>"."<fn>"(event)` as supabase_auth_admin
 * under a 2 s statement timeout, inside the token transaction; then enforces its
 * output contract (error object, claims present, required claims well-typed).
 *
 * Any failure of the call itself (the timeout included: for Postgres hooks GoTrue has no
 * timeout error of its own, hook_timeout is its HTTP hooks') and output that does not
 * decode is GoTrue's runHook error, a 500 "Error running hook URI: <uri>"
 * (internal/hooks/v0hooks/manager.go). The failed statement aborts the token
 * transaction, so nothing of the sign-in or refresh is kept.
 */
export async function runAccessTokenHook(
  tx: postgres.TransactionSql,
  hook: HookFunction,
  event: { user_id: string; claims: Record<string, unknown>; authentication_method: AuthMethod },
): Promise<Record<string, unknown>> {
  const hookFailed = (cause?: unknown) => Object.assign(new AuthError(500, `Error running hook URI: ${hook.uri}`), { cause });
  let output: unknown;
  try {
    await tx.unsafe(`set local statement_timeout to '${HOOK_TIMEOUT_MS}'`);
    const [row] = await tx`select ${tx(hook.schema)}.${tx(hook.name)}(${tx.json(event as postgres.JSONValue)}::jsonb) as output`;
    output = row.output;
    await tx.unsafe("set local statement_timeout to default");
  } catch (error) {
    throw hookFailed(error);
  }
  const parsed = hookOutputSchema.safeParse(output);
  if (!parsed.success) throw hookFailed(parsed.error);
  // An error object with an empty message is ignored, as GoTrue does.
  const hookError = parsed.data.error;
  if (hookError?.message) throw new AuthError(hookError.http_code ?? 500, hookError.message);
  if (!parsed.data.claims) throw new AuthError(500, "output claims field is missing");
  const claims = requiredClaimsSchema.safeParse(parsed.data.claims);
  if (!claims.success) throw new AuthError(500, "output claims do not conform to the expected schema");
  return claims.data;
}
