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
