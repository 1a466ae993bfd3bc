// Who is calling: @supabase/server verifies the credential (JWT signature and `kid`
// against the project's JWKS, API keys in constant time); on top of that we enforce
// what it skips for user tokens: issuer, audience and a mandatory expiry.
import { verifyAuth } from "@supabase/server/core";
import type { FunctionConfig } from "./config.ts";
import type { DbIdentity } from "./db.ts";
import { ApiError, unauthorized } from "./errors.ts";

/** Credential kinds a function accepts, in @supabase/server's vocabulary. */
export type AuthMode = "user" | "publishable" | "secret";

export interface Caller extends DbIdentity {
  mode: AuthMode;
  /** The `sub` claim for user tokens (a UUID for Supabase Auth, any string for third-party IdPs). */
  userId: string | null;
}

const AUDIENCE = "authenticated";

function checkUserClaims(claims: Record<string, unknown>, config: FunctionConfig): void {
  if (typeof claims.exp !== "number") throw unauthorized("token has no expiry");
  if (claims.iss !== config.authIssuer) throw unauthorized("token issuer is not accepted");
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(AUDIENCE)) throw unauthorized("token audience is not accepted");
  if (claims.role !== "authenticated" && claims.role !== "anon") throw unauthorized("token role is not accepted");
}

export async function authenticate(req: Request, modes: AuthMode[], config: FunctionConfig): Promise<Caller> {
  const { data, error } = await verifyAuth(req, { auth: modes });
  if (error) {
    if (error.status === 401) throw unauthorized(error.message);
    throw new ApiError(500, "server_misconfigured", "credential verification is not configured", { cause: error });
  }
  switch (data.authMode) {
    case "user": {
      const claims = data.jwtClaims as Record<string, unknown>;
      checkUserClaims(claims, config);
      const role = claims.role as "authenticated" | "anon";
      return { mode: "user", role, claims, userId: String(claims.sub) };
    }
    case "publishable":
      return { mode: "publishable", role: "anon", claims: { role: "anon" }, userId: null };
    case "secret":
      return { mode: "secret", role: "service_role", claims: { role: "service_role" }, userId: null };
    default:
      throw unauthorized();
  }
}
