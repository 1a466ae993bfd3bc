// Who is signed in and with what: a Supabase Auth session (supabase-js; a hosted project,
// or the local stack's stand-in), or on the local stack a development token.
// PKCE, because the console's screens are hash routes (#/users): the implicit flow would
// bring its tokens back in the fragment (#access_token=…) where the router reads its path;
// PKCE brings a ?code= that supabase-js exchanges, with the verifier it kept, and removes.
import { createClient, type AuthError, type Session, type SupabaseClient } from "@supabase/supabase-js";
import { ApiFailure } from "./api.ts";
import type { ConsoleConfig } from "./config.ts";

/** Where supabase-js keeps this console's session (local storage). */
export const SESSION_STORAGE_KEY = "tenantry.console.auth";

export const DEV_TOKEN_KEY = "tenantry.console.token";

/** What the API clients send: the current access token, asked for on every request. */
export type AccessToken = () => Promise<string | undefined>;

export type Credential = { kind: "supabase"; userId: string; accessToken: AccessToken } | { kind: "development"; accessToken: AccessToken };

let cached: { key: string; client: SupabaseClient } | undefined;

/** One supabase-js client per project (it owns the stored session and its refresh timer). */
export function supabaseFor(config: ConsoleConfig): SupabaseClient | undefined {
  if (!config.publishableKey) return undefined;
  const key = `${config.url} ${config.publishableKey}`;
  if (cached?.key !== key) {
    cached = {
      key,
      client: createClient(config.url, config.publishableKey, {
        auth: { flowType: "pkce", detectSessionInUrl: true, persistSession: true, autoRefreshToken: true, storageKey: SESSION_STORAGE_KEY },
      }),
    };
  }
  return cached.client;
}

/**
 * The session's access token as it is now: getSession() refreshes one that is about to
 * expire, and onAuthStateChange (in useConsoleAuth) follows refreshes and sign-outs.
 */
function sessionToken(supabase: SupabaseClient): AccessToken {
  return async () => (await supabase.auth.getSession()).data.session?.access_token;
}

export const credentialFor = (supabase: SupabaseClient, session: Session): Credential => ({
  kind: "supabase",
  userId: session.user.id,
  accessToken: sessionToken(supabase),
});

// GoTrue's redirect errors name the OAuth error, not the status: oauthErrorMap, inverted.
const REDIRECT_STATUS: Record<string, number> = { invalid_request: 400, unauthorized_client: 401, access_denied: 403, server_error: 500, temporarily_unavailable: 503 };

/** supabase-js's AuthError as the one toast shows errors: message, code, HTTP status. */
export function authFailure(error: AuthError): Error {
  const details = (error as { details?: { error?: string; code?: string } }).details;
  const status = details?.error ? REDIRECT_STATUS[details.error] : error.status;
  const code = details?.code ?? error.code;
  if (!status || !code) return new Error(error.message);
  return new ApiFailure({ status, code, message: error.message });
}

/**
 * After a magic link: supabase-js removes ?code= once it has exchanged it; a refused link
 * (expired, banned user) leaves its error in the query and in the fragment, where the
 * router would read it as a path. Both go, and the console opens at its first screen.
 */
export function forgetAuthRedirect(): void {
  const url = new URL(window.location.href);
  const callback = ["code", "error", "error_code", "error_description"].filter((name) => url.searchParams.has(name));
  if (!callback.length && !/^#(error|access_token)=/.test(url.hash)) return;
  for (const name of callback) url.searchParams.delete(name);
  if (/^#(error|access_token)=/.test(url.hash)) url.hash = "#/";
  window.history.replaceState(window.history.state, "", url.toString());
}

/** Where a magic link brings the user back: this console, without its route or any query. */
export const consoleAddress = () => `${window.location.origin}${window.location.pathname}`;
