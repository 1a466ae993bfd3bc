// CORS for every function, in one place: a console (or any browser app) on another origin
// than the project's calls the API. Supabase's canonical headers for edge functions
// (@supabase/supabase-js/cors: the headers its clients send, the methods), plus the debug
// id exposed so a page can read x-debug-id from an answer, errors included.
//
// Origin "*", deliberately: every endpoint authenticates with a bearer token or an API key
// in a header, never a cookie, so a browser attaches no ambient credential a foreign page
// could ride on (and "*" rules out credentialed requests: no Allow-Credentials is sent).
// A page can call only with a token it already holds, which it could send from anywhere
// without a browser; an allow list of origins would add configuration, not protection.
import { corsHeaders as supabaseCorsHeaders } from "@supabase/supabase-js/cors";

export const corsHeaders: Record<string, string> = {
  ...supabaseCorsHeaders,
  "Access-Control-Expose-Headers": "x-debug-id",
  // Browsers cap this (Chromium at 2 hours); it spares a preflight before most calls.
  "Access-Control-Max-Age": "7200",
};

/** Sets the CORS headers on an answer's headers (every answer: success, error, preflight). */
export function addCorsHeaders(headers: Headers): void {
  for (const [name, value] of Object.entries(corsHeaders)) headers.set(name, value);
}

/** The preflight's answer, before any credential check: a preflight never carries one. */
export const preflightResponse = () => new Response(null, { status: 204 });
