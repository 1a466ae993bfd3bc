// The console reaches the API only through the typed client (client/index.ts), so it
// can send nothing the OpenAPI documents do not describe.
import { createAdminClient, createMeClient } from "../../../client/index.ts";
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
  return { admin: createAdminClient(options), me: createMeClient(options) };
}

export type Clients = ReturnType<typeof clients>;

/** The API's error body ({error: {code, message, debug_id}}) as an exception the UI shows. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const body = (result.error ?? {}) as {
      error?: { code?: string; message?: string; debug_id?: string; field?: string; fields?: Array<{ field: string; message: string }> };
    };
    const fields: FieldMessages = {};
    for (const problem of body.error?.fields ?? []) fields[problem.field] ??= problem.message;
    if (body.error?.field) fields[body.error.field] ??= body.error.message ?? result.response.statusText;
    throw new ApiFailure({
      fields,
      status: result.response.status,
      code: body.error?.code ?? `http_${result.response.status}`,
      message: body.error?.message ?? result.response.statusText,
      debugId: body.error?.debug_id ?? result.response.headers.get("x-debug-id") ?? undefined,
    });
  }
  return result.data;
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
