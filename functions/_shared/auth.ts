// Who is calling. Project credentials (Supabase Auth JWTs, API keys) are verified by
// @supabase/server; tokens from registered third-party providers (Clerk, Frontegg,
// OIDC) against their own JWKS. On top of what the helper library checks we enforce
// issuer, audience and a mandatory expiry for every user token.
import { verifyAuth } from "@supabase/server/core";
import type { FunctionConfig, Toggles } from "./config.ts";
import type { DbIdentity, Sql } from "./db.ts";
import { ApiError, unauthorized } from "./errors.ts";
import { claimedIssuer, enrichFromUserInfo, registeredProviders, verifyProviderToken } from "./identity-providers.ts";
import { looksLikePersonalAccessToken, verifyPersonalAccessToken } from "./personal-access-tokens.ts";

/**
 * Credential kinds a function accepts. `user` covers Supabase Auth, registered third-party
 * and personal access tokens; `none` lets a request without credentials through as anon
 * (public routes); `metrics` is the METRICS_TOKEN bearer a Prometheus scraper sends.
 */
export type AuthMode = "user" | "publishable" | "secret" | "none" | "metrics";

export interface Caller extends DbIdentity {
  mode: AuthMode | "third_party" | "token";
  /** The `sub` claim for user tokens (a UUID for Supabase Auth, any string for third-party IdPs). */
  userId: string | null;
}

const AUDIENCE = "authenticated";

/**
 * Claims only Tenantry itself writes into request.jwt.claims: the personal access token
 * a request runs under (SQL audits it as a token actor and limits it to pat_scopes) and
 * the access token hook's `tenantry` summary. They are never taken from a token issued
 * elsewhere: every external token (Supabase Auth, registered third-party issuers, their
 * UserInfo answers) loses them before it reaches the database.
 */
export const RESERVED_CLAIMS = ["pat_id", "pat_scopes", "tenantry"] as const;

export function withoutReservedClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...claims };
  for (const name of RESERVED_CLAIMS) delete kept[name];
  return kept;
}

/** An issuer as quoted in an error: it comes from the caller's own token, bounded for the log. */
function quotedIssuer(issuer: string): string {
  return JSON.stringify(issuer.length > 200 ? `${issuer.slice(0, 200)}…` : issuer);
}

function unacceptedIssuer(issuer: string): ApiError {
  return unauthorized(
    `token issuer ${quotedIssuer(issuer)} is not accepted: it is neither this project's Supabase Auth nor a registered, enabled identity provider`,
  );
}

function checkUserClaims(claims: Record<string, unknown>, config: FunctionConfig): void {
  if (typeof claims.exp !== "number") throw unauthorized("token has no expiry");
  if (typeof claims.iss !== "string") throw unauthorized("token has no issuer (iss)");
  if (claims.iss !== config.authIssuer) throw unacceptedIssuer(claims.iss);
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(AUDIENCE)) throw unauthorized("token audience is not accepted");
  if (claims.role !== "authenticated" && claims.role !== "anon") throw unauthorized("token role is not accepted");
}

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
}

async function thirdPartyCaller(req: Request, sql: Sql, config: FunctionConfig, toggles: Toggles): Promise<Caller | undefined> {
  const token = bearer(req);
  const issuer = token && claimedIssuer(token);
  if (!token || !issuer || issuer === config.authIssuer) return undefined;
  const provider = (await registeredProviders(sql, issuer)).get(issuer);
  // Nothing else could accept it: Supabase Auth signs only tokens with its own issuer.
  if (!provider) throw unacceptedIssuer(issuer);
  const verified = await verifyProviderToken(token, provider, config.identityProviderHttp);
  // Sparse tokens are completed from UserInfo; the token's own claims always win.
  const claims = await enrichFromUserInfo(token, verified, provider, config.userinfoEndpoint, config.identityProviderHttp);
  // A verified token from a registered provider acts as a signed-in user (as Supabase
  // third-party auth does once the provider adds role=authenticated), provisioned just in
  // time unless USER_MGMT_CORE is off (SPEC F15).
  return {
    mode: "third_party", role: "authenticated", claims: { ...withoutReservedClaims(claims), role: "authenticated" },
    userId: verified.sub, provision: toggles.core,
  };
}

async function tokenCaller(token: string, sql: Sql, config: FunctionConfig): Promise<Caller> {
  const verified = await verifyPersonalAccessToken(token, sql);
  // The token acts as its user (resolved by issuer and subject, like their own JWT would be),
  // limited to its scopes: every permission check in SQL intersects with pat_scopes.
  const issuer = verified.identity_provider === "supabase" ? config.authIssuer : verified.identity_provider;
  const claims = {
    sub: verified.identity_sub, iss: issuer, aud: AUDIENCE, role: "authenticated",
    pat_id: verified.token_id, pat_scopes: verified.scopes,
  };
  return { mode: "token", role: "authenticated", claims, userId: verified.identity_sub };
}

/** Constant-time comparison of two secrets (their SHA-256 digests, so lengths leak nothing). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i] ^ y[i];
  return difference === 0;
}

export async function authenticate(req: Request, modes: AuthMode[], config: FunctionConfig, sql: Sql, toggles: Toggles): Promise<Caller> {
  const token = bearer(req);
  if (modes.includes("metrics") && token && config.metricsToken && (await sameSecret(token, config.metricsToken))) {
    // The metrics scraper is nobody in SQL (anon, which reaches no RPC): only the metrics
    // endpoint maps it to an identity of its own (functions/admin/metrics.ts).
    return { mode: "metrics", role: "anon", claims: { role: "anon" }, userId: null };
  }
  if (modes.includes("user") && token && looksLikePersonalAccessToken(token)) return tokenCaller(token, sql, config);
  if (modes.includes("user")) {
    const thirdParty = await thirdPartyCaller(req, sql, config, toggles);
    if (thirdParty) return thirdParty;
  }
  const { data, error } = await verifyAuth(req, { auth: modes.filter((mode) => mode !== "metrics") as Exclude<AuthMode, "metrics">[] });
  if (error) {
    if (error.status === 401) throw unauthorized(error.message);
    throw new ApiError(500, "server_misconfigured", "credential verification is not configured", { cause: error });
  }
  switch (data.authMode) {
    case "user": {
      const claims = withoutReservedClaims(data.jwtClaims as Record<string, unknown>);
      checkUserClaims(claims, config);
      const role = claims.role as "authenticated" | "anon";
      return { mode: "user", role, claims, userId: String(claims.sub) };
    }
    case "publishable":
      return { mode: "publishable", role: "anon", claims: { role: "anon" }, userId: null };
    case "secret":
      return { mode: "secret", role: "service_role", claims: { role: "service_role" }, userId: null };
    case "none":
      return { mode: "none", role: "anon", claims: { role: "anon" }, userId: null };
    default:
      throw unauthorized();
  }
}
