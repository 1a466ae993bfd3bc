// What both Supabase Auth stand-ins (stack/auth-admin.ts, stack/auth-user-api.ts) answer
// with: the API gateway's key check in front of GoTrue, GoTrue's request decoding (Go's
// encoding/json into its parameter structs), golang-jwt's wording of a bad token and
// GoTrue's two error formats, plus the plain HTTP helpers they share.
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { errors as joseErrors } from "jose";
import { AuthError } from "./auth.ts";
import type { ProjectKeys } from "./keys.ts";

export type Respond = (status: number, body?: unknown, headers?: http.OutgoingHttpHeaders) => void;

/** A Respond for this response: JSON when there is a body, none otherwise. */
export function responder(res: http.ServerResponse): Respond {
  return (status, body, headers = {}) => {
    if (body === undefined) res.writeHead(status, headers).end();
    else res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };
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

/** The API gateway's 401s: no `apikey` (header or query parameter), or none of this project's. */
export function platformRefusal(req: http.IncomingMessage, url: URL, keys: ProjectKeys): { message: string; hint: string } | undefined {
  const apikey = header(req, "apikey") ?? url.searchParams.get("apikey");
  if (!apikey) return { message: "No API key found in request", hint: "No `apikey` request header or url param was found." };
  if (apikey !== keys.secretKey && apikey !== keys.publishableKey) {
    return { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." };
  }
  return undefined;
}

/** golang-jwt's wording for the common failures; jose's otherwise. */
export function jwtProblem(token: string, error: unknown): string {
  if (token.split(".").length !== 3) return "token is malformed: token contains an invalid number of segments";
  if (error instanceof joseErrors.JWTExpired) return "token has invalid claims: token is expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "token signature is invalid: crypto/ecdsa: verification error";
  return error instanceof Error ? error.message : String(error);
}

// ── request decoding: Go's encoding/json into GoTrue's parameter structs ────────

export type Kind = "string" | "bool" | "object";
export interface Struct {
  name: string;
  fields: Record<string, Kind>;
}

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
