// Configuration every function reads from its environment, resolved in one place.
// The platform injects SUPABASE_URL, SUPABASE_DB_URL and the API keys; the local
// stack (stack/functions.ts) injects the same variables.
import process from "node:process";
import { ApiError } from "./errors.ts";

export interface FunctionConfig {
  supabaseUrl: string;
  /** Direct Postgres URL (role postgres). Functions switch to the caller's role per request. */
  dbUrl: string;
  /** The issuer Supabase Auth writes into access tokens. */
  authIssuer: string;
  /** The project's secret API key: Supabase Auth's admin API, and the key cursors are signed with. */
  secretKey: string;
  /** OIDC_USERINFO_ENDPOINT: UserInfo for OIDC providers that register none of their own. */
  userinfoEndpoint?: string;
  /** METRICS_TOKEN: a bearer token that may read /admin/metrics (a Prometheus scraper has no user). */
  metricsToken?: string;
  /** TENANTRY_CHECK_RESPONSES (local stack and tests): every answer is checked against its documented schema. */
  checkResponses: boolean;
  /** How long and how often third-party identity providers' JWKS and UserInfo endpoints are asked. */
  identityProviderHttp: IdentityProviderHttp;
}

/**
 * A third-party issuer's endpoints are outside our control: every call to them is bounded,
 * and an endpoint that failed is not asked again at once (each ask would cost a request the
 * whole timeout). Keys already fetched keep verifying tokens while the JWKS endpoint is down.
 */
export interface IdentityProviderHttp {
  /** IDP_TIMEOUT_MS (default 5000): the longest a request waits for a JWKS or UserInfo answer. */
  timeoutMs: number;
  /** IDP_JWKS_MAX_AGE_S (default 600): keys older than this are fetched again before use (the old ones serve if that fails). */
  jwksMaxAgeMs: number;
  /** IDP_RETRY_S (default 30): the least time between two attempts at an endpoint that failed, or two JWKS fetches for unknown key ids. */
  retryMs: number;
}

/** A positive number from the environment, or the default when unset; anything else is a misconfiguration. */
function positiveNumber(env: Env, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ApiError(500, "server_misconfigured", `environment variable ${name} must be a positive number, not ${JSON.stringify(text)}`);
  }
  return value;
}

export function identityProviderHttp(env: Env): IdentityProviderHttp {
  return {
    timeoutMs: positiveNumber(env, "IDP_TIMEOUT_MS", 5000),
    jwksMaxAgeMs: positiveNumber(env, "IDP_JWKS_MAX_AGE_S", 600) * 1000,
    retryMs: positiveNumber(env, "IDP_RETRY_S", 30) * 1000,
  };
}

export type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ApiError(500, "server_misconfigured", `environment variable ${name} is not set`);
  return value;
}

/** SUPABASE_SECRET_KEYS is a JSON object of named keys (the platform's format); `default` is the one. */
function secretKey(env: Env): string {
  const keys = env.SUPABASE_SECRET_KEYS?.trim();
  if (keys) {
    try {
      const parsed = JSON.parse(keys) as Record<string, unknown>;
      const key = parsed.default ?? Object.values(parsed)[0];
      if (typeof key === "string" && key) return key;
    } catch {
      // fall through to the legacy variable, then to the error
    }
  }
  return required(env, "SUPABASE_SERVICE_ROLE_KEY");
}

export function loadConfig(env: Env = process.env): FunctionConfig {
  const supabaseUrl = required(env, "SUPABASE_URL").replace(/\/+$/, "");
  return {
    supabaseUrl,
    dbUrl: required(env, "SUPABASE_DB_URL"),
    authIssuer: env.SUPABASE_AUTH_ISSUER?.trim() || `${supabaseUrl}/auth/v1`,
    secretKey: secretKey(env),
    userinfoEndpoint: env.OIDC_USERINFO_ENDPOINT?.trim() || undefined,
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    checkResponses: isTruthy(env.TENANTRY_CHECK_RESPONSES) ?? false,
    identityProviderHttp: identityProviderHttp(env),
  };
}

/**
 * The operational toggles (SPEC F15). Read on every request, so a changed value takes
 * effect on the next one. Unset or empty means on; otherwise only 1/true/yes/on are on.
 */
export interface Toggles {
  /** USER_MGMT_CORE: the admin routes (off: 404) and just-in-time provisioning. */
  core: boolean;
  /** USER_MGMT_UI: the admin console. */
  ui: boolean;
  /** USER_MGMT_ENFORCE: permission checks on the admin routes (off: any active signed-in user passes; RLS stays). */
  enforce: boolean;
  /** USER_MGMT_RLS_ENFORCE (unset: as USER_MGMT_ENFORCE): protect_table re-applied to registered tables when the admin function starts. */
  rlsEnforce: boolean;
}

function isTruthy(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  return ["1", "true", "yes", "on"].includes(v);
}

export function readToggles(env: Env = process.env): Toggles {
  const enforce = isTruthy(env.USER_MGMT_ENFORCE) ?? true;
  return {
    core: isTruthy(env.USER_MGMT_CORE) ?? true,
    ui: isTruthy(env.USER_MGMT_UI) ?? true,
    enforce,
    rlsEnforce: isTruthy(env.USER_MGMT_RLS_ENFORCE) ?? enforce,
  };
}
