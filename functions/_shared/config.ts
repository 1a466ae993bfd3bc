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
  /** OIDC_USERINFO_ENDPOINT: UserInfo for OIDC providers that register none of their own. */
  userinfoEndpoint?: string;
}

export type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ApiError(500, "server_misconfigured", `environment variable ${name} is not set`);
  return value;
}

export function loadConfig(env: Env = process.env): FunctionConfig {
  const supabaseUrl = required(env, "SUPABASE_URL").replace(/\/+$/, "");
  return {
    supabaseUrl,
    dbUrl: required(env, "SUPABASE_DB_URL"),
    authIssuer: env.SUPABASE_AUTH_ISSUER?.trim() || `${supabaseUrl}/auth/v1`,
    userinfoEndpoint: env.OIDC_USERINFO_ENDPOINT?.trim() || undefined,
  };
}
