// The console reaches the API only through the typed client (client/index.ts), so it
// can send nothing the OpenAPI documents do not describe.
import { createAdminClient, createMeClient, createPlansClient } from "../../../client/index.ts";
import type { AccessToken } from "./auth.ts";
import type { ConsoleConfig } from "./config.ts";

export interface ApiError {
  status: number;
  code: string;
  message: string;
  debugId?: string;
  /** The fields the API named (a 422 lists each offending field, a 409 the column in use): forms show these on the inputs. */
  fields?: FieldMessages;
}

export type FieldMessages = Partial<Record<string, string>>;

export class ApiFailure extends Error {
  constructor(readonly detail: ApiError) {
    super(`${detail.code}: ${detail.message}`);
  }
}

/** The typed clients with the signed-in user's current access token, read on every request. */
export function clients(config: ConsoleConfig, token: AccessToken) {
  const options = { url: config.url, token, apikey: config.publishableKey || undefined };
  return { admin: createAdminClient(options), me: createMeClient(options), plans: createPlansClient(options) };
}

export type Clients = ReturnType<typeof clients>;

interface ErrorBody {
  /** Tenantry's format (functions/_shared/errors.ts). */
  error?: { code?: string; message?: string; debug_id?: string; field?: string; fields?: Array<{ field: string; message: string }> };
  /** What answers before a function does (the platform gateway: {code, message}; Supabase Auth: {error_code, msg}). */
  code?: string | number;
  message?: string;
  error_code?: string;
  msg?: string;
}

/**
 * The data of a successful answer (an empty one, such as a 204, is undefined), or the
 * failure as an exception the UI shows: the API's code, message, debug id and the fields it named.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  const raw = result.error;
  const body: ErrorBody = raw && typeof raw === "object" ? (raw as ErrorBody) : {};
  const tenantry = typeof body.error === "object" && body.error !== null ? body.error : undefined;
  const fields: FieldMessages = {};
  for (const problem of tenantry?.fields ?? []) fields[problem.field] ??= problem.message;
  if (tenantry?.field) fields[tenantry.field] ??= tenantry.message ?? result.response.statusText;
  throw new ApiFailure({
    fields,
    status: result.response.status,
    code: tenantry?.code ?? body.error_code ?? (body.code !== undefined ? String(body.code) : `http_${result.response.status}`),
    message: tenantry?.message ?? body.message ?? body.msg ?? (typeof raw === "string" && raw ? raw : result.response.statusText),
    debugId: tenantry?.debug_id ?? result.response.headers.get("x-debug-id") ?? undefined,
  });
}

/** Local stack only: the gateway mints an access token for an email, as `npm run token` does. */
export async function devSignIn(email: string): Promise<string> {
  const res = await fetch(new URL("dev/sign-in", document.baseURI), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  const body = (await res.json()) as { access_token?: string; error?: { code: string; message: string; debug_id?: string } };
  if (!res.ok || !body.access_token) {
    throw new ApiFailure({ status: res.status, code: body.error?.code ?? "sign_in_failed", message: body.error?.message ?? res.statusText, debugId: body.error?.debug_id });
  }
  return body.access_token;
}

/** The messages of the fields an error names, if it is the API's and names any. */
export const fieldMessages = (error: unknown): FieldMessages => (error instanceof ApiFailure ? (error.detail.fields ?? {}) : {});

/** The message for one field, if the error names it. */
export const fieldError = (error: unknown, field: string): string | undefined => fieldMessages(error)[field];

/** What to tell the user about a failure: the API's message, or the error's own. */
export const messageOf = (error: unknown): string =>
  error instanceof ApiFailure ? error.detail.message : error instanceof Error ? error.message : String(error);
