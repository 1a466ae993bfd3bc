// The Supabase Auth admin endpoints that supabase-js's `auth.admin` calls, answered as a
// Supabase project answers them: first the API gateway (an `apikey` is required; an
// `Authorization: Bearer sb_…` or none becomes that key's role, as the CLI's Kong
// translates the opaque keys), then GoTrue: requireAdminCredentials (a JWT whose role is
// service_role or supabase_admin) and the admin routes with their pagination. The work itself
// is AuthService's (stack/auth.ts); the request decoding and error formats are stack/auth-http.ts's.
import type http from "node:http";
import { jwtVerify, type JWTVerifyGetKey } from "jose";
import { AuthError, type AdminUserParams, type AuthService, type InviteParams } from "./auth.ts";
import { decode, header, jwtProblem, platformRefusal, readBody, responder, sendError, type Respond, type Struct } from "./auth-http.ts";
import type { ProjectKeys } from "./keys.ts";

/** GoTrue's default GOTRUE_JWT_ADMIN_ROLES. */
const ADMIN_ROLES = ["service_role", "supabase_admin"];
const PREFIX = "/auth/v1";

interface Request {
  req: http.IncomingMessage;
  /** The path as GoTrue sees it (the gateway strips /auth/v1) and the query. */
  url: URL;
  params: string[];
  body: () => Promise<string>;
  respond: Respond;
}

interface Route {
  path: RegExp;
  methods: Record<string, (request: Request) => Promise<void>>;
}

function routes(auth: AuthService): Route[] {
  return [
    {
      path: /^\/invite\/?$/,
      methods: {
        POST: async ({ body, respond }) => respond(200, await auth.inviteUser(decode<InviteParams>(await body(), INVITE_PARAMS))),
      },
    },
    {
      path: /^\/admin\/users\/?$/,
      methods: {
        GET: async ({ url, respond }) => {
          const page = pagination(url.searchParams);
          const { total, ...list } = await auth.listUsers(page.page, page.perPage);
          respond(200, list, { link: paginationLinks(url, page, total), "x-total-count": String(total) });
        },
        POST: async ({ body, respond }) => respond(200, await auth.createUser(decode<AdminUserParams>(await body(), ADMIN_USER_PARAMS))),
      },
    },
    {
      path: /^\/admin\/users\/([^/]+)\/?$/,
      methods: {
        GET: async ({ params, respond }) => respond(200, await auth.getUser(params[0])),
        PUT: async ({ params, body, respond }) =>
          respond(200, await auth.updateUser(params[0], decode<AdminUserParams>(await body(), ADMIN_USER_PARAMS))),
        DELETE: async ({ params, body, respond }) => {
          // GoTrue reads the body only when there is one.
          const text = await body();
          const { should_soft_delete } = text === "" ? {} : decode<{ should_soft_delete?: boolean }>(text, DELETE_PARAMS);
          await auth.deleteUser(params[0], should_soft_delete);
          respond(200, {});
        },
      },
    },
  ];
}

/**
 * The gateway's handler for /auth/v1/admin/users… and /auth/v1/invite; false for any other
 * path (the gateway answers those). Every request it takes gets an answer, never a throw.
 */
export function authAdminApi(auth: AuthService, keys: ProjectKeys, keySet: JWTVerifyGetKey) {
  const table = routes(auth);
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith(`${PREFIX}/`)) return false;
    const path = url.pathname.slice(PREFIX.length);
    const route = table.find((r) => r.path.test(path));
    if (!route) return false;
    const respond = responder(res);
    const refusal = platformRefusal(req, url, keys);
    if (refusal) {
      respond(401, refusal);
      return true;
    }
    try {
      await requireAdmin(req, keys, keySet);
      const handler = route.methods[req.method ?? "GET"];
      // chi's answer to a method a route does not have: 405, no body.
      if (!handler) respond(405);
      else await handler({ req, url: new URL(path + url.search, url), params: route.path.exec(path)!.slice(1), body: () => readBody(req), respond });
    } catch (error) {
      sendError(req, respond, error);
    }
    return true;
  };
}

/**
 * requireAdminCredentials behind the gateway: the caller's own bearer token if it is not an
 * sb_ key, else the role the gateway gives the apikey (secret: service_role, publishable: anon).
 */
async function requireAdmin(req: http.IncomingMessage, keys: ProjectKeys, keySet: JWTVerifyGetKey): Promise<void> {
  const authorization = req.headers.authorization;
  let role: unknown = header(req, "apikey") === keys.secretKey ? "service_role" : "anon";
  if (authorization !== undefined && !authorization.startsWith("Bearer sb_")) {
    const bearer = /^(?:B|b)earer (\S+)$/.exec(authorization);
    if (!bearer) throw new AuthError(401, "This endpoint requires a Bearer token", "no_authorization");
    try {
      role = (await jwtVerify(bearer[1], keySet)).payload.role;
    } catch (error) {
      throw new AuthError(403, `invalid JWT: unable to parse or verify signature, ${jwtProblem(bearer[1], error)}`, "bad_jwt");
    }
  }
  if (typeof role !== "string" || !ADMIN_ROLES.includes(role)) throw new AuthError(403, "User not allowed", "not_admin");
}

const ADMIN_USER_PARAMS: Struct = {
  name: "AdminUserParams",
  fields: {
    id: "string", aud: "string", role: "string", email: "string", phone: "string", password: "string", password_hash: "string",
    email_confirm: "bool", phone_confirm: "bool", user_metadata: "object", app_metadata: "object", ban_duration: "string",
  },
};
const INVITE_PARAMS: Struct = { name: "InviteParams", fields: { email: "string", data: "object" } };
const DELETE_PARAMS: Struct = { name: "adminUserDeleteParams", fields: { should_soft_delete: "bool" } };

// ── pagination: shared.Paginate and AddPaginationHeaders ─────────────────────

const MAX_PER_PAGE = 1000;

function pagination(query: URLSearchParams): { page: number; perPage: number } {
  const parse = (name: string, fallback: number, max: number, tooBig: string): number => {
    const text = query.get(name) ?? "";
    if (text === "") return fallback;
    const bad = (problem: string) => new AuthError(400, `Bad Pagination Parameters: ${problem}`, "validation_failed");
    if (!/^\d+$/.test(text)) throw bad(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
    const value = Number(text);
    if (value === 0) throw bad(`${name} must be greater than 0`);
    if (value > max) throw bad(tooBig);
    return value;
  };
  return {
    page: parse("page", 1, 2 ** 31 - 1, "page exceeds maximum allowed value"),
    perPage: parse("per_page", 50, MAX_PER_PAGE, `per_page must not exceed ${MAX_PER_PAGE}`),
  };
}

/** `<…page=N+1…>; rel="next", <…page=last…>; rel="last"`, on GoTrue's own request URI (query keys sorted, as Go encodes). */
function paginationLinks(url: URL, { page, perPage }: { page: number; perPage: number }, total: number): string {
  const lastPage = Math.max(Math.ceil(total / perPage), 1);
  const link = (target: number) => {
    const query = new URLSearchParams(url.search);
    query.set("page", String(target));
    query.sort();
    return `<${url.pathname}?${query}>`;
  };
  return (lastPage > page ? `${link(page + 1)}; rel="next", ` : "") + `${link(lastPage)}; rel="last"`;
}
