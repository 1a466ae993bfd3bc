// The Supabase Auth endpoints supabase-js's sign-in calls, answered as a project answers
// them: the API gateway first (an `apikey` on every path but /verify, which is opened from
// an email, as Kong's open routes are), then GoTrue's handlers (stack/auth-sessions.ts),
// its bearer check for /user and /logout, its error formats (stack/auth-http.ts).
import type http from "node:http";
import { jwtVerify, type JWTVerifyGetKey } from "jose";
import { AuthError, type AuthService } from "./auth.ts";
import { decode, header, jwtProblem, platformRefusal, readBody, responder, sendError, type Respond, type Struct } from "./auth-http.ts";
import { isRedirectAllowed, redirectSettings } from "./auth-redirects.ts";
import { OAuthError, type AuthSessions, type OtpParams } from "./auth-sessions.ts";
import type { ProjectKeys } from "./keys.ts";

const PREFIX = "/auth/v1";

const PASSWORD_GRANT: Struct = { name: "PasswordGrantParams", fields: { email: "string", phone: "string", password: "string" } };
const REFRESH_GRANT: Struct = { name: "RefreshTokenGrantParams", fields: { refresh_token: "string" } };
const PKCE_GRANT: Struct = { name: "PKCEGrantParams", fields: { auth_code: "string", code_verifier: "string" } };
const OTP: Struct = {
  name: "OtpParams",
  fields: { email: "string", phone: "string", data: "object", create_user: "bool", code_challenge: "string", code_challenge_method: "string", channel: "string" },
};

interface Call {
  req: http.IncomingMessage;
  url: URL;
  respond: Respond;
}

/** The gateway's handler for /auth/v1/{token,otp,verify,logout,user}; false for any other path. */
export function authUserApi(auth: AuthService, sessions: AuthSessions, keys: ProjectKeys, keySet: JWTVerifyGetKey) {
  const settings = redirectSettings();
  /** GetReferrer: redirect_to if allowed, else the Referer if allowed, else the site URL. */
  const referrer = (req: http.IncomingMessage, url: URL) => {
    for (const candidate of [url.searchParams.get("redirect_to") ?? "", header(req, "referer") ?? ""]) {
      if (isRedirectAllowed(settings, candidate)) return candidate;
    }
    return settings.siteUrl;
  };
  const bearerCaller = async (req: http.IncomingMessage) => {
    const bearer = /^(?:B|b)earer (\S+)$/.exec(req.headers.authorization ?? "");
    if (!bearer) throw new AuthError(401, "This endpoint requires a valid Bearer token", "no_authorization");
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(bearer[1], keySet)).payload;
    } catch (error) {
      throw new AuthError(403, `invalid JWT: unable to parse or verify signature, ${jwtProblem(bearer[1], error)}`, "bad_jwt");
    }
    return sessions.requireUserAndSession(claims);
  };

  const handlers: Record<string, Record<string, (call: Call) => Promise<void>>> = {
    "/token": {
      POST: async ({ req, url, respond }) => {
        const grant = url.searchParams.get("grant_type");
        const body = await readBody(req);
        if (grant === "password") return respond(200, await sessions.passwordGrant(decode(body, PASSWORD_GRANT)));
        if (grant === "refresh_token") return respond(200, await sessions.refreshGrant(decode<{ refresh_token?: string }>(body, REFRESH_GRANT).refresh_token));
        if (grant === "pkce") return respond(200, await sessions.pkceGrant(decode(body, PKCE_GRANT)));
        throw new OAuthError("unsupported_grant_type", "");
      },
    },
    "/otp": {
      POST: async ({ req, url, respond }) => {
        await sessions.sendMagicLink(decode<OtpParams>(await readBody(req), OTP), referrer(req, url));
        respond(200, {});
      },
    },
    "/verify": {
      GET: async ({ req, url, respond }) => {
        const type = url.searchParams.get("type") ?? "";
        const token = url.searchParams.get("token") ?? "";
        if (!type) throw new AuthError(400, "Verify requires a verification type", "validation_failed");
        if (!token) throw new AuthError(400, "Verify requires a token or a token hash", "validation_failed");
        if (type !== "magiclink") throw new AuthError(400, `the local Supabase Auth stand-in verifies magic links only, not ${type} (stack/auth-sessions.ts)`, "validation_failed");
        respond(303, undefined, { location: await sessions.verifyMagicLink(token, referrer(req, url)) });
      },
    },
    "/logout": {
      POST: async ({ req, url, respond }) => {
        const { userId, sessionId } = await bearerCaller(req);
        await sessions.logout(userId, sessionId, url.searchParams.get("scope") || "global");
        respond(204);
      },
    },
    "/user": {
      GET: async ({ req, respond }) => respond(200, await auth.getUser((await bearerCaller(req)).userId)),
    },
  };

  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith(`${PREFIX}/`)) return false;
    const path = url.pathname.slice(PREFIX.length).replace(/\/$/, "");
    const route = handlers[path];
    if (!route) return false;
    const respond = responder(res);
    const refusal = path === "/verify" ? undefined : platformRefusal(req, url, keys);
    if (refusal) {
      respond(401, refusal);
      return true;
    }
    try {
      const handler = route[req.method ?? "GET"];
      if (!handler) respond(405);
      else await handler({ req, url, respond });
    } catch (error) {
      if (error instanceof OAuthError) respond(400, { error: error.error, error_description: error.description });
      else sendError(req, respond, error);
    }
    return true;
  };
}
