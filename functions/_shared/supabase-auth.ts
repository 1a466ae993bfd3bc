// Supabase Auth's admin API (create, invite, ban, delete users), through supabase-js
// with the project's secret key. Called only after SQL has authorised and recorded the
// change; its errors become API errors without passing on Auth's internals.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { FunctionConfig } from "./config.ts";
import { ApiError } from "./errors.ts";

const clients = new WeakMap<FunctionConfig, SupabaseClient>();

export function authAdmin(config: FunctionConfig): SupabaseClient["auth"]["admin"] {
  let client = clients.get(config);
  if (!client) {
    client = createClient(config.supabaseUrl, config.secretKey, { auth: { persistSession: false, autoRefreshToken: false } });
    clients.set(config, client);
  }
  return client.auth.admin;
}

/** Banned "forever" as the dashboard does it (Go duration); 'none' lifts a ban. */
export const PERMANENT_BAN = "876000h";

interface AuthErrorLike {
  status?: number;
  code?: string;
  message: string;
}

/** Supabase Auth's answer, as this API's error: a taken email is a conflict on `email`, the rest a 502. */
export function authFailure(error: AuthErrorLike, doing: string): ApiError {
  if (error.code === "email_exists" || error.code === "user_already_exists" || error.status === 422 && /already/i.test(error.message)) {
    return new ApiError(409, "conflict", "a user with this email already exists", { field: "email", cause: error });
  }
  if (error.code === "user_not_found" || error.status === 404) {
    return new ApiError(404, "not_found", "Supabase Auth has no such user", { cause: error });
  }
  return new ApiError(502, "auth_failed", `Supabase Auth could not ${doing}; try again (the request is safe to repeat)`, { cause: error });
}
