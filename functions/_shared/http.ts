// The request pipeline shared by every function: CORS (cors.ts), a debug id, credential check,
// the handler, uniform JSON errors and one structured log line per request.
// Handlers are plain functions of (request, context), so tests call them directly.
import { authenticate, type AuthMode, type Caller } from "./auth.ts";
import { addCorsHeaders, preflightResponse } from "./cors.ts";
import { loadConfig, readToggles, type Env, type FunctionConfig, type Toggles } from "./config.ts";
import { DatabasePool, type Sql } from "./db.ts";
import { asApiError, errorBody, isConnectionFailure, notFound } from "./errors.ts";
import { takeDeferredInputError } from "./validation.ts";

export interface Context {
  caller: Caller;
  sql: Sql;
  config: FunctionConfig;
  /** Read for this request (SPEC F15: a changed variable counts from the next request). */
  toggles: Toggles;
  debugId: string;
}

export type Handler = (req: Request, ctx: Context) => Promise<Response> | Response;

export interface FunctionDefinition {
  name: string;
  /** Credentials accepted, tried in order; a request with none of them gets 401. */
  auth: AuthMode[];
  handler: Handler;
  /** Part of Tenantry's core (the admin API): USER_MGMT_CORE off answers 404, and USER_MGMT_ENFORCE off waives its permission checks. */
  core?: boolean;
  /** Paths anyone may GET without credentials (the OpenAPI document); the handler sees an anonymous caller. */
  publicPaths?: string[];
}

const ANONYMOUS: Caller = { mode: "publishable", role: "anon", claims: { role: "anon" }, userId: null };

export const DEBUG_ID_HEADER = "x-debug-id";

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}

function withStandardHeaders(response: Response, debugId: string): Response {
  const headers = new Headers(response.headers);
  addCorsHeaders(headers);
  headers.set(DEBUG_ID_HEADER, debugId);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));
}

function describeCause(error: unknown): unknown {
  if (!error) return undefined;
  if (error instanceof Error) {
    return { message: error.message, stack: error.stack, cause: describeCause(error.cause) };
  }
  return String(error);
}

/** Builds the `{ fetch }` object a Supabase edge function exports (run by `deno serve`). */
export function defineFunction(definition: FunctionDefinition, env?: Env): { fetch: (req: Request) => Promise<Response> } {
  let config: FunctionConfig | undefined;
  let pool: DatabasePool | undefined;

  return {
    async fetch(req: Request): Promise<Response> {
      const debugId = crypto.randomUUID();
      if (req.method === "OPTIONS") return withStandardHeaders(preflightResponse(), debugId);
      const started = performance.now();
      const path = new URL(req.url).pathname;
      let caller: Caller | undefined;
      let response: Response;
      let failure: unknown;
      let sql: Sql | undefined;
      try {
        const toggles = readToggles(env);
        if (definition.core && !toggles.core) throw notFound(`no route ${req.method} ${path}`);
        config ??= loadConfig(env);
        pool ??= new DatabasePool(config.dbUrl);
        sql = pool.sql;
        const open = req.method === "GET" && definition.publicPaths?.includes(path);
        caller = open ? ANONYMOUS : await authenticate(req, definition.auth, config, sql, toggles);
        if (definition.core && !toggles.enforce && caller.role === "authenticated") caller = { ...caller, waiveEnforcement: true };
        response = await definition.handler(req, { caller, sql, config, toggles, debugId });
        // Input readJson found unusable but the handler never passed to SQL (callAsCaller
        // takes it): still answered as the input error, never as a success.
        const invalid = takeDeferredInputError(req);
        if (invalid) throw invalid;
      } catch (error) {
        const apiError = asApiError(error);
        if (apiError.status >= 500) failure = apiError.cause ?? apiError;
        // Its connection died: the next request gets a fresh pool (DatabasePool says why).
        if (sql && isConnectionFailure(error)) pool?.replace(sql);
        response = json(errorBody(apiError, debugId), { status: apiError.status, headers: apiError.details.headers });
      }
      log({
        level: failure ? "error" : "info",
        function: definition.name,
        debug_id: debugId,
        method: req.method,
        path,
        status: response.status,
        user: caller?.userId ?? caller?.mode ?? null,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        ...(failure ? { cause: describeCause(failure) } : {}),
      });
      return withStandardHeaders(response, debugId);
    },
  };
}
