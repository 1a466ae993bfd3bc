// The Supabase Auth admin endpoints that supabase-js's `auth.admin` calls, answered as a
// Supabase project answers them: first the API gateway (an `apikey` is required; an
// `Authorization: Bearer sb_…` or none becomes that key's role, as the CLI's Kong
// translates the opaque keys), then GoTrue: requireAdminCredentials (a JWT whose role is
// service_role or supabase_admin), its request decoding and its two error formats.
// The work itself is AuthService's (stack/auth.ts).
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { AuthError, type AdminUserParams, type AuthService, type InviteParams } from "./auth.ts";
import type { ProjectKeys } from "./keys.ts";

/** GoTrue's default GOTRUE_JWT_ADMIN_ROLES. */
const ADMIN_ROLES = ["service_role", "supabase_admin"];
const PREFIX = "/auth/v1";

export type Respond = (status: number, body?: unknown, headers?: http.OutgoingHttpHeaders) => void;

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
    const respond: Respond = (status, body, headers = {}) => {
      if (body === undefined) res.writeHead(status, headers).end();
      else res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
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

/** The API gateway's 401s: no `apikey` (header or query parameter), or none of this project's. */
export function platformRefusal(req: http.IncomingMessage, url: URL, keys: ProjectKeys): { message: string; hint: string } | undefined {
  const apikey = header(req, "apikey") ?? url.searchParams.get("apikey");
  if (!apikey) return { message: "No API key found in request", hint: "No `apikey` request header or url param was found." };
  if (apikey !== keys.secretKey && apikey !== keys.publishableKey) {
    return { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." };
  }
  return undefined;
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

/** golang-jwt's wording for the common failures; jose's otherwise. */
export function jwtProblem(token: string, error: unknown): string {
  if (token.split(".").length !== 3) return "token is malformed: token contains an invalid number of segments";
  if (error instanceof joseErrors.JWTExpired) return "token has invalid claims: token is expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "token signature is invalid: crypto/ecdsa: verification error";
  return error instanceof Error ? error.message : String(error);
}

export const header = (req: http.IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// ── request decoding: Go's encoding/json into GoTrue's parameter structs ────────

export type Kind = "string" | "bool" | "object";
export interface Struct {
  name: string;
  fields: Record<string, Kind>;
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

const GO_TYPES: Record<Kind, string> = { string: "string", bool: "bool", object: "map[string]interface {}" };

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value; // string, number, object
}

/**
 * retrieveRequestParams: unknown keys ignored, keys matched case-insensitively, null as
 * not given, a wrong type refused with Go's message (400 bad_json).
 */
export function decode<T>(body: string, struct: Struct): T {
  const badJson = (problem: string) => new AuthError(400, `Could not parse request body as JSON: ${problem}`, "bad_json");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw badJson(body.trim() === "" ? "unexpected end of JSON input" : (error as Error).message);
  }
  if (value === null) return {} as T;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badJson(`json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct.name}`);
  }
  const params: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    // The fields' JSON names are lower-case, so Go's case-folding match is a lower-case compare.
    const name = Object.keys(struct.fields).find((f) => f === key.toLowerCase());
    if (!name || field === null) continue;
    const kind = struct.fields[name];
    const ok = kind === "string" ? typeof field === "string" : kind === "bool" ? typeof field === "boolean" : jsonKind(field) === "object";
    if (!ok) throw badJson(`json: cannot unmarshal ${jsonKind(field)} into Go struct field ${struct.name}.${name} of type ${GO_TYPES[kind]}`);
    params[name] = field;
  }
  return params as T;
}

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

// ── errors: HandleResponseError ──────────────────────────────────────────────

/**
 * GoTrue's error body: `{code, message}` for clients that send X-Supabase-Api-Version
 * 2024-01-01 or later (supabase-js does), which is echoed; `{code: status, error_code, msg}`
 * for the others. Anything but an AuthError is an unexpected failure, its cause logged.
 */
export function sendError(req: http.IncomingMessage, respond: Respond, error: unknown): void {
  const known = error instanceof AuthError;
  const status = known ? error.status : 500;
  const message = known ? error.message : "Unexpected failure, please check server logs for more information";
  const code = (known ? error.code : undefined) ?? (status >= 500 ? "unexpected_failure" : undefined);
  if (status >= 500) console.error(`auth stand-in: ${message}:`, (known && error.cause) || error);
  const headers: http.OutgoingHttpHeaders = code ? { "x-sb-error-code": code } : {};
  const version = header(req, "x-supabase-api-version") ?? "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(version) && version >= "2024-01-01") {
    respond(status, { code: code ?? "unknown", message }, { ...headers, "x-supabase-api-version": "2024-01-01" });
  } else {
    respond(status, { code: status, error_code: code ?? "unknown", msg: message, ...(status >= 500 ? { error_id: randomUUID() } : {}) }, headers);
  }
}
