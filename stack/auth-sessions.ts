// What supabase-js's sign-in calls need from Supabase Auth, done as GoTrue does it
// (internal/api/token.go, token_refresh, magic_link.go, verify.go, logout.go, user.go):
// the password, refresh_token and pkce grants, the magic link (its token hash in
// users.recovery_token, the mail in the local mailbox), its verification and logout.
// Flow states (GoTrue's auth.flow_state) live in this process's memory: the local
// platform layer has no such table, and a pending magic link need not survive a restart.
import { createHash, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { AuthError, newRefreshToken, type AuthMethod, type AuthService, type IssuedToken } from "./auth.ts";
import type { Mailbox } from "./auth-mailbox.ts";
import { bcrypt, BCRYPT_MAX_BYTES } from "./bcrypt.ts";
import { NIL_INSTANCE, validEmail, validationFailed, type GoTrueUser, type Metadata } from "./gotrue-model.ts";

/** GoTrue's defaults: mailer.otp_exp, external.flow_state_expiry_duration, security.refresh_token_reuse_interval. */
const OTP_EXPIRY_SECONDS = 3600;
const FLOW_STATE_EXPIRY_MS = 300_000;
const REFRESH_REUSE_INTERVAL_SECONDS = 10;
const PKCE_PREFIX = "pkce_";
const INVALID_LOGIN = "Invalid login credentials";

export interface AccessTokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: GoTrueUser;
}

/** OAuthError: `{error, error_description}`, answered as it is whatever the API version. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

interface FlowState {
  authCode: string;
  userId: string;
  codeChallenge: string;
  codeChallengeMethod: "s256" | "plain";
  authenticationMethod: AuthMethod;
  createdAt: number;
  authCodeIssuedAt?: number;
}

export interface OtpParams {
  email?: string;
  phone?: string;
  data?: Metadata;
  create_user?: boolean;
  code_challenge?: string;
  code_challenge_method?: string;
}

export class AuthSessions {
  private readonly flowStates = new Map<string, FlowState>();

  constructor(
    private readonly auth: AuthService,
    private readonly mailbox: Mailbox,
    /** The public Auth URL the emailed links point at: `<project>/auth/v1`. */
    private readonly externalUrl: string,
  ) {}

  private get sql() {
    return this.auth.database;
  }

  /** ResourceOwnerPasswordGrant, its refusals in GoTrue's order. */
  async passwordGrant(params: { email?: string; phone?: string; password?: string }): Promise<AccessTokenResponse> {
    if (params.email && params.phone) throw validationFailed("Only an email address or phone number should be provided on login.");
    if (params.phone) throw validationFailed("the local Supabase Auth stand-in does not emulate phone logins (stack/auth-sessions.ts)");
    if (!params.email) throw validationFailed("missing email or phone");
    const [user] = await this.sql<{ id: string; encrypted_password: string | null; banned: boolean; confirmed: boolean }[]>`
      select id, encrypted_password, coalesce(banned_until > now(), false) as banned, email_confirmed_at is not null as confirmed
      from users
      where instance_id = ${NIL_INSTANCE} and lower(email) = ${params.email.toLowerCase()} and aud = 'authenticated' and is_sso_user = false`;
    if (!user || !user.encrypted_password) throw new AuthError(400, INVALID_LOGIN, "invalid_credentials");
    if (user.banned) throw new AuthError(400, "User is banned", "user_banned");
    if (!passwordMatches(params.password ?? "", user.encrypted_password)) throw new AuthError(400, INVALID_LOGIN, "invalid_credentials");
    if (!user.confirmed) throw new AuthError(400, "Email not confirmed", "email_not_confirmed");
    return this.response(await this.auth.signIn(user.id, "password"));
  }

  /**
   * RefreshTokenGrant with rotation: the token is revoked and a child issued in the same
   * session. A revoked token is taken back only within the reuse interval, answered with
   * its active child; after that it is reuse, and the session's tokens are all revoked.
   */
  async refreshGrant(refreshToken: string | undefined): Promise<AccessTokenResponse> {
    if (!refreshToken) throw new OAuthError("invalid_request", "refresh_token required");
    const outcome = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string; user_id: string; revoked: boolean; session_id: string | null; session: string | null; banned: boolean; reusable: boolean }[]>`
        select rt.id, rt.user_id, rt.revoked, rt.session_id, s.id as session,
               coalesce(u.banned_until > now(), false) as banned,
               rt.updated_at + ${REFRESH_REUSE_INTERVAL_SECONDS} * interval '1 second' > now() as reusable
        from refresh_tokens rt
        join users u on u.id::text = rt.user_id
        left join sessions s on s.id = rt.session_id
        where rt.token = ${refreshToken}
        for update of rt`;
      if (!row) throw new AuthError(400, "Invalid Refresh Token: Refresh Token Not Found", "refresh_token_not_found");
      if (row.banned) throw new AuthError(400, "Invalid Refresh Token: User Banned", "user_banned");
      if (!row.session) throw new AuthError(400, "Invalid Refresh Token: No Valid Session Found", "session_not_found");
      let next: string;
      if (row.revoked) {
        const [child] = row.reusable ? await tx<{ token: string }[]>`select token from refresh_tokens where parent = ${refreshToken} and revoked = false` : [];
        if (!child) {
          // Committed before the refusal: a replayed token ends its session's whole family.
          await tx`update refresh_tokens set revoked = true, updated_at = now() where session_id = ${row.session} and revoked = false`;
          return "reused" as const;
        }
        next = child.token;
      } else {
        next = newRefreshToken();
        await tx`update refresh_tokens set revoked = true, updated_at = now() where id = ${row.id}`;
        await tx`
          insert into refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
          values (${NIL_INSTANCE}, ${next}, ${row.user_id}, false, now(), now(), ${refreshToken}, ${row.session})`;
      }
      await tx`update sessions set refreshed_at = now()::timestamp, updated_at = now() where id = ${row.session}`;
      return this.auth.issue(tx, row.user_id, row.session, "token_refresh", next);
    });
    if (outcome === "reused") throw new AuthError(400, "Invalid Refresh Token: Already Used", "refresh_token_already_used");
    return this.response(outcome);
  }

  /** PKCE: the flow state the magic link's verification issued a code for, its verifier checked, then a session. */
  async pkceGrant(params: { auth_code?: string; code_verifier?: string }): Promise<AccessTokenResponse> {
    if (!params.auth_code || !params.code_verifier) throw validationFailed("invalid request: both auth code and code verifier should be non-empty");
    const flow = this.flowStates.get(params.auth_code);
    if (!flow) throw new AuthError(404, "invalid flow state, no valid flow state found", "flow_state_not_found");
    const started = flow.authCodeIssuedAt ?? flow.createdAt;
    if (Date.now() > started + FLOW_STATE_EXPIRY_MS) throw new AuthError(422, "invalid flow state, flow state has expired", "flow_state_expired");
    const challenge = flow.codeChallengeMethod === "s256" ? createHash("sha256").update(params.code_verifier).digest("base64url") : params.code_verifier;
    if (challenge !== flow.codeChallenge) throw new AuthError(400, "code challenge does not match previously saved code verifier", "bad_code_verifier");
    this.flowStates.delete(params.auth_code);
    return this.response(await this.auth.signIn(flow.userId, flow.authenticationMethod));
  }

  /**
   * POST /otp for an email: MagicLink. A new address is signed up (the local project
   * autoconfirms, as the CLI's default enable_confirmations = false does), then the link
   * is "sent": its token hash goes to recovery_token, the mail to the local mailbox.
   */
  async sendMagicLink(params: OtpParams, redirectTo: string): Promise<void> {
    if (params.email && params.phone) throw validationFailed("Only an email address or phone number should be provided");
    if (params.phone || !params.email) throw validationFailed("the local Supabase Auth stand-in emulates the email OTP only (stack/auth-sessions.ts)");
    const email = validEmail(params.email);
    const pkce = pkceParams(params.code_challenge_method, params.code_challenge);
    let user = await this.userByEmail(email);
    if (!user) {
      if (params.create_user === false) throw new AuthError(422, "Signups not allowed for otp", "otp_disabled");
      await this.auth.signUp({ email, userMetadata: params.data ?? {} });
      user = await this.userByEmail(email);
    } else if (!user.confirmed) {
      throw validationFailed("the local Supabase Auth stand-in does not emulate a magic link to an unconfirmed user (GoTrue signs them up again)");
    }
    if (!user) throw new AuthError(500, "Database error finding user");
    if (pkce) {
      // Dead flow states go as new ones come: a code not exchanged in time, or a link past its expiry.
      for (const [code, flow] of this.flowStates) {
        const deadline = flow.authCodeIssuedAt ? flow.authCodeIssuedAt + FLOW_STATE_EXPIRY_MS : flow.createdAt + OTP_EXPIRY_SECONDS * 1000;
        if (Date.now() > deadline) this.flowStates.delete(code);
      }
      const authCode = randomUUID();
      this.flowStates.set(authCode, { authCode, userId: user.id, ...pkce, authenticationMethod: "magiclink", createdAt: Date.now() });
    }
    const otp = String(randomInt(0, 1_000_000)).padStart(6, "0");
    // crypto.GenerateTokenHash; a PKCE flow's is stored, and linked, with the pkce_ prefix.
    const tokenHash = (pkce ? PKCE_PREFIX : "") + createHash("sha224").update(email + otp).digest("hex");
    await this.sql`update users set recovery_token = ${tokenHash}, recovery_sent_at = now(), updated_at = now() where id = ${user.id}`;
    const link = `${this.externalUrl}/verify?${new URLSearchParams({ token: tokenHash, type: "magiclink", redirect_to: redirectTo })}`;
    this.mailbox.deliver({ to: email, subject: "Your Magic Link", text: `Follow this link to login:\n${link}\n\nAlternatively, enter the code: ${otp}\n`, link });
  }

  /**
   * GET /verify for a magic link: the user it names, not banned, the link not expired;
   * the token consumed, then the redirect: `?code=` for a PKCE link (the flow state gets its
   * code), `#access_token=…` for an implicit one. A refusal is a redirect too, its error in
   * the query (PKCE) and the fragment.
   */
  async verifyMagicLink(token: string, redirectTo: string): Promise<string> {
    const pkce = token.startsWith(PKCE_PREFIX);
    try {
      const [user] = await this.sql<{ id: string; banned: boolean; expired: boolean; confirmed: boolean }[]>`
        select id, coalesce(banned_until > now(), false) as banned, email_confirmed_at is not null as confirmed,
               recovery_sent_at is null or recovery_sent_at + ${OTP_EXPIRY_SECONDS} * interval '1 second' < now() as expired
        from users where recovery_token = ${token} or recovery_token = ${PKCE_PREFIX + token}`;
      if (!user) throw new AuthError(403, "Email link is invalid or has expired", "otp_expired");
      if (user.banned) throw new AuthError(403, "User is banned", "user_banned");
      if (user.expired) throw new AuthError(403, "Email link is invalid or has expired", "otp_expired");
      // user.Recover, and Confirm for an address not yet confirmed.
      await this.sql`update users set recovery_token = '', updated_at = now() where id = ${user.id}`;
      if (!user.confirmed) await this.sql`update users set email_confirmed_at = now(), updated_at = now() where id = ${user.id}`;
      const target = new URL(redirectTo);
      if (pkce) {
        const flow = [...this.flowStates.values()].filter((f) => f.userId === user.id && f.authenticationMethod === "magiclink").at(-1);
        if (!flow) throw new AuthError(400, "No associated flow state found. flow state not found", "flow_state_not_found");
        flow.authCodeIssuedAt = Date.now();
        target.searchParams.set("code", flow.authCode);
        return target.toString();
      }
      const issued = await this.response(await this.auth.signIn(user.id, "otp"));
      const fragment = new URLSearchParams({
        access_token: issued.access_token, expires_at: String(issued.expires_at), expires_in: String(issued.expires_in),
        refresh_token: issued.refresh_token, token_type: "bearer", type: "magiclink",
      });
      return `${redirectTo.replace(/#.*$/, "")}#${fragment}`;
    } catch (error) {
      if (!(error instanceof AuthError) || error.status >= 500) throw error;
      return errorRedirect(redirectTo, error, pkce);
    }
  }

  /** POST /logout: the caller's session (local), every one of theirs (global) or all but it (others). */
  async logout(userId: string, sessionId: string, scope: string): Promise<void> {
    if (scope === "global") await this.sql`delete from sessions where user_id = ${userId}`;
    else if (scope === "local") await this.sql`delete from sessions where id = ${sessionId}`;
    else if (scope === "others") await this.sql`delete from sessions where user_id = ${userId} and id <> ${sessionId}`;
    else throw validationFailed(`Unsupported logout scope ${JSON.stringify(scope)}`);
  }

  /** requireAuthentication's maybeLoadUserOrSession: the token's user and session must still exist. */
  async requireUserAndSession(claims: { sub?: unknown; session_id?: unknown }): Promise<{ userId: string; sessionId: string }> {
    const userId = typeof claims.sub === "string" ? claims.sub : "";
    const [user] = await this.sql`select 1 from users where id::text = ${userId}`;
    if (!user) throw new AuthError(403, "User from sub claim in JWT does not exist", "user_not_found");
    const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
    const [session] = sessionId ? await this.sql`select 1 from sessions where id::text = ${sessionId}` : [];
    if (!session) throw new AuthError(403, "Session from session_id claim in JWT does not exist", "session_not_found");
    return { userId, sessionId };
  }

  private async userByEmail(email: string) {
    const [user] = await this.sql<{ id: string; confirmed: boolean }[]>`
      select id, email_confirmed_at is not null as confirmed from users
      where instance_id = ${NIL_INSTANCE} and lower(email) = ${email} and aud = 'authenticated' and is_sso_user = false`;
    return user;
  }

  /** AccessTokenResponse: the user as GoTrue loads it (identities included). */
  private async response(issued: IssuedToken): Promise<AccessTokenResponse> {
    return {
      access_token: issued.accessToken,
      token_type: "bearer",
      expires_in: Number(issued.claims.exp) - Number(issued.claims.iat),
      expires_at: Number(issued.claims.exp),
      refresh_token: issued.refreshToken,
      user: await this.auth.getUser(issued.user.id),
    };
  }
}

/** validatePKCEParams: none (implicit flow) or both, a known method, a 43–128 character challenge. */
function pkceParams(method: string | undefined, challenge: string | undefined): Pick<FlowState, "codeChallenge" | "codeChallengeMethod"> | undefined {
  if (!method && !challenge) return undefined;
  if (!method || !challenge) throw validationFailed("PKCE flow requires code_challenge_method and code_challenge");
  const normalized = method.toLowerCase();
  if (normalized !== "s256" && normalized !== "plain") throw validationFailed(`code challenge method not supported: ${method}`);
  if (challenge.length < 43 || challenge.length > 128) throw validationFailed("code challenge has to be between 43 and 128 characters");
  return { codeChallenge: challenge, codeChallengeMethod: normalized };
}

/** CompareHashAndPassword: the stored $2a$ hash recomputed with its own cost and salt. */
function passwordMatches(password: string, hash: string): boolean {
  const match = /^\$2[abxy]?\$(\d\d)\$([./A-Za-z0-9]{22})[./A-Za-z0-9]{31}$/.exec(hash);
  if (!match || Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return false;
  const computed = Buffer.from(bcrypt(password, Number(match[1]), match[2]).slice(4));
  const stored = Buffer.from(hash.slice(4));
  return computed.length === stored.length && timingSafeEqual(computed, stored);
}

/** prepErrorRedirectURL: error, error_code and error_description in the fragment, and in the query for PKCE. */
function errorRedirect(redirectTo: string, error: AuthError, pkce: boolean): string {
  const url = new URL(redirectTo);
  const oauthCodes: Record<number, string> = { 400: "invalid_request", 401: "unauthorized_client", 403: "access_denied", 500: "server_error", 503: "temporarily_unavailable" };
  const params = new URLSearchParams();
  if (oauthCodes[error.status]) params.set("error", oauthCodes[error.status]);
  params.set("error_code", error.code ?? "");
  params.set("error_description", error.message);
  if (pkce) for (const [key, value] of params) url.searchParams.set(key, value);
  url.hash = params.toString();
  return url.toString();
}
