// Third-party identity providers (Clerk, Frontegg, OIDC): which issuers are registered
// (private.identity_providers, the single source), verifying their tokens against
// their JWKS, and enriching sparse tokens from UserInfo.
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import type { IdentityProviderHttp } from "./config.ts";
import type { Sql } from "./db.ts";
import { ApiError, unauthorized } from "./errors.ts";
import { IssuerKeys } from "./issuer-keys.ts";

export interface IdentityProvider {
  issuer: string;
  kind: "clerk" | "frontegg" | "oidc";
  jwksUrl: string;
  audience: string | null;
  userinfoEndpoint: string | null;
}

const CACHE_MS = 30_000;
const MISS_CACHE_MS = 1_000;
const MISS_CACHE_SIZE = 1000;
// Supabase third-party auth accepts asymmetric keys only.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

let cache: { at: number; providers: Map<string, IdentityProvider> } | undefined;
// Issuers looked up one by one and not found, with when: asked again after a second at most.
const misses = new Map<string, number>();
const keySets = new Map<string, IssuerKeys>();

type ProviderRow = { issuer: string; kind: IdentityProvider["kind"]; jwks_url: string | null; audience: string | null; userinfo_endpoint: string | null };

const toProvider = (r: ProviderRow): IdentityProvider => ({
  issuer: r.issuer, kind: r.kind, jwksUrl: r.jwks_url!, audience: r.audience, userinfoEndpoint: r.userinfo_endpoint,
});

/** Registered, enabled providers with keys: all of them, or the one with this issuer. */
async function loadProviders(sql: Sql, issuer?: string): Promise<IdentityProvider[]> {
  const rows = await sql<ProviderRow[]>`
    select issuer, kind, jwks_url, audience, userinfo_endpoint from private.identity_providers
    where enabled and jwks_url is not null ${issuer === undefined ? sql`` : sql`and issuer = ${issuer}`}`;
  return rows.map(toProvider);
}

/**
 * Registered, enabled providers by issuer; re-read every 30 s per isolate. An issuer it
 * does not know yet is looked up on its own (one indexed read, remembered as absent for a
 * second), so a newly registered provider works on its first request whatever other
 * requests loaded meanwhile.
 */
export async function registeredProviders(sql: Sql, lookingFor?: string): Promise<Map<string, IdentityProvider>> {
  if (!cache || Date.now() - cache.at >= CACHE_MS) {
    cache = { at: Date.now(), providers: new Map((await loadProviders(sql)).map((p) => [p.issuer, p])) };
    misses.clear();
  }
  const providers = cache.providers;
  if (lookingFor === undefined || providers.has(lookingFor)) return providers;
  const missedAt = misses.get(lookingFor);
  if (missedAt !== undefined && Date.now() - missedAt < MISS_CACHE_MS) return providers;
  const [found] = await loadProviders(sql, lookingFor);
  if (found) {
    providers.set(found.issuer, found);
    misses.delete(lookingFor);
  } else {
    if (misses.size >= MISS_CACHE_SIZE) misses.delete(misses.keys().next().value!);
    misses.set(lookingFor, Date.now());
  }
  return providers;
}

/** The issuer a bearer token claims, without trusting it yet. */
export function claimedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies signature (by kid, asymmetric only), issuer, audience and a mandatory expiry. */
export async function verifyProviderToken(token: string, provider: IdentityProvider, http: IdentityProviderHttp): Promise<JWTPayload & { sub: string }> {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw unauthorized("malformed token");
  }
  if (!header.kid) throw unauthorized("token has no kid");
  let keySet = keySets.get(provider.jwksUrl);
  if (!keySet) {
    keySet = new IssuerKeys(provider.jwksUrl, http);
    keySets.set(provider.jwksUrl, keySet);
  }
  try {
    const { payload } = await jwtVerify(token, keySet.getKey, {
      issuer: provider.issuer,
      // Enforced whenever the provider has one (a token without `aud` fails too); jose checks
      // aud only when this is not undefined, so null alone means "not checked".
      audience: provider.audience ?? undefined,
      algorithms: ALGORITHMS,
      requiredClaims: ["exp", "sub"],
      clockTolerance: 30,
    });
    return payload as JWTPayload & { sub: string };
  } catch (error) {
    // The issuer's JWKS endpoint failed (IssuerKeys): a 503, not a verdict on the token.
    if (error instanceof ApiError) throw error;
    const code = (error as { code?: string }).code ?? "";
    if (code === "ERR_JWT_EXPIRED") throw unauthorized("token has expired");
    const claim = (error as { claim?: string }).claim;
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim === "aud") {
      throw unauthorized("token audience is not accepted: it does not name the audience registered for this identity provider");
    }
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim) throw unauthorized(`token claim "${claim}" is missing or invalid`);
    throw unauthorized("token could not be verified");
  }
}

const PROFILE_CLAIMS = ["email", "name"];

/**
 * When a token lacks profile or group claims and a UserInfo endpoint is known, the
 * bearer token is replayed against it and the missing claims are filled in. The
 * token's own claims win, and a UserInfo answer for another subject is ignored.
 * Enrichment is best effort: when UserInfo fails (down, slow past IDP_TIMEOUT_MS, an
 * error status, not JSON) the verified token alone is used, and UserInfo is asked again
 * for this token after IDP_RETRY_S, not on every request meanwhile.
 */
export async function enrichFromUserInfo(
  token: string,
  claims: Record<string, unknown>,
  provider: IdentityProvider,
  fallbackEndpoint: string | undefined,
  http: IdentityProviderHttp,
  groupsClaim = "groups",
): Promise<Record<string, unknown>> {
  const endpoint = provider.userinfoEndpoint ?? (provider.kind === "oidc" ? fallbackEndpoint : undefined);
  const sparse = PROFILE_CLAIMS.some((name) => claims[name] === undefined) || claims[groupsClaim] === undefined;
  if (!endpoint || !sparse) return claims;
  // One UserInfo answer per token, not per request.
  const cached = userInfoCache.get(token);
  if (cached) return cached;
  const failedAt = userInfoFailures.get(token);
  if (failedAt !== undefined && Date.now() - failedAt < http.retryMs) return claims;
  const enriched = await fetchUserInfo(token, claims, endpoint, http.timeoutMs);
  if (!enriched) {
    remember(userInfoFailures, token, Date.now());
    return claims;
  }
  userInfoFailures.delete(token);
  remember(userInfoCache, token, enriched);
  return enriched;
}

const USERINFO_CACHE_SIZE = 1000;
const userInfoCache = new Map<string, Record<string, unknown>>();
const userInfoFailures = new Map<string, number>();

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= USERINFO_CACHE_SIZE) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** The enriched claims, or undefined when UserInfo gave no usable answer (not cached as an answer). */
async function fetchUserInfo(token: string, claims: Record<string, unknown>, endpoint: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  let info: Record<string, unknown>;
  try {
    // The signal bounds the body too: a server may send headers and then stall.
    const res = await fetch(endpoint, { headers: { authorization: `Bearer ${token}`, accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    info = await res.json();
  } catch {
    return undefined;
  }
  // Not a UserInfo answer at all (no string sub): asked again later, like a failure.
  if (!info || typeof info !== "object" || typeof info.sub !== "string") return undefined;
  if (info.sub !== claims.sub) return claims;
  const { iss: _iss, sub: _sub, aud: _aud, exp: _exp, iat: _iat, nbf: _nbf, ...extra } = info;
  return { ...extra, ...claims };
}
