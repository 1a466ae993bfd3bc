// Endpoints as data: each one's method, path, input schemas, answer schema and handler
// live in one object, from which come both the routing (Hono) and the OpenAPI 3.1
// document (zod-to-openapi). Input is validated here with the very schemas the document
// shows; handlers are plain functions of (input, context, request).
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { Hono } from "hono";
import { z } from "zod";
import { ApiError, invalidInput, methodNotAllowed, notFound, type FieldProblem } from "./errors.ts";
import { json, type Context, type Handler } from "./http.ts";
import { parseWith, readJson, readQuery } from "./validation.ts";

type Method = "get" | "post" | "put" | "patch" | "delete";
type AnyObject = z.ZodObject<z.ZodRawShape>;
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface Input<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export interface Endpoint<P extends AnyObject | undefined = AnyObject | undefined, Q extends AnyObject | undefined = AnyObject | undefined, B extends z.ZodType | undefined = z.ZodType | undefined, R extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI style, relative to /functions/v1: `/admin/users/{id}`. */
  path: string;
  summary: string;
  /** Who may call it and what it does beyond the summary (the permission lives in SQL). */
  description: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer. `media` other than JSON means the handler returns a streamed Response. */
  response: { status?: 200 | 201; description: string; schema: R; media?: "application/x-ndjson" | "text/plain" };
  /** Errors this endpoint documents besides the ones every endpoint may answer. */
  errors?: number[];
  /** A valid body, shown in the document and sent by the caller-state tests. */
  example?: z.input<NonNullable<B>>;
  /** Who may call without a user: `apikey` — any API key, the publishable one included; `anyone` — no credential at all. */
  open?: "apikey" | "anyone";
  /** Answers JSON matching `response.schema` (checked in tests: TENANTRY_CHECK_RESPONSES), or a Response of its own. */
  handler: (input: Input<P, Q, B>, ctx: Context, req: Request) => Promise<unknown>;
}

/** Keeps an endpoint's types tied together (its handler sees its own schemas' outputs). */
export function endpoint<P extends AnyObject | undefined = undefined, Q extends AnyObject | undefined = undefined, B extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
  spec: Endpoint<P, Q, B, R>,
): Endpoint {
  return spec as unknown as Endpoint;
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "machine-readable: unauthorized, forbidden, not_found, conflict, invalid_input, ..." }),
      message: z.string(),
      debug_id: z.string().meta({ description: "also in the x-debug-id header; the server log line carries the full cause" }),
      field: z.string().optional().meta({ description: "the (first) field at fault" }),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: "every field at fault (422)" }),
    }),
  })
  .meta({ id: "Error" });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "malformed input: invalid JSON, a forged or foreign cursor",
  401: "missing or invalid credentials",
  403: "the caller may not do this (the refusal is audited)",
  404: "not found",
  405: "method not allowed (see the allow header)",
  409: "conflict with existing data (`field` names the column)",
  413: "body larger than 64 KiB",
  422: "invalid input (`fields` names every offending field)",
  503: "the database is unavailable",
};
const COMMON_ERRORS = [401, 403, 405, 422, 503];

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/** Path, query and body, each checked by its schema; a 422 names every field at fault in all three. */
async function readInput(spec: Endpoint, req: Request, params: Record<string, string>) {
  const problems: FieldProblem[] = [];
  const part = async <T>(read: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 422 && error.details.fields)) throw error;
      problems.push(...error.details.fields);
      return undefined;
    }
  };
  const input = {
    params: spec.params ? await part(() => parseWith(spec.params!, params)) : undefined,
    query: spec.query ? await part(() => readQuery(req, spec.query!)) : undefined,
    body: spec.body ? await part(() => readJson(req, spec.body!)) : undefined,
  };
  if (problems.length > 0) throw invalidInput(problems);
  return input;
}

export interface Api {
  handler: Handler;
  document(): ReturnType<OpenApiGeneratorV31["generateDocument"]>;
}

/** The function's router and OpenAPI document; unknown paths are 404, known paths answer other methods 405. */
export function createApi(options: { title: string; description: string; documentPath: string; endpoints: Endpoint[] }): Api {
  const app = new Hono<{ Bindings: Context }>();
  app.onError((error) => {
    throw error;
  });
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "a Supabase Auth access token, a registered identity provider's token, or a personal access token (tnt_pat_...)",
  });
  registry.registerComponent("securitySchemes", "apikey", { type: "apiKey", in: "header", name: "apikey" });
  const methodsByPath = new Map<string, string[]>();

  for (const spec of options.endpoints) {
    const allowed = methodsByPath.get(spec.path) ?? [];
    methodsByPath.set(spec.path, [...allowed, spec.method.toUpperCase()]);
    app.on(spec.method.toUpperCase(), honoPath(spec.path), async (c) => {
      const req = c.req.raw;
      const input = await readInput(spec, req, c.req.param());
      const result = await spec.handler(input as Input<never, never, never>, c.env, req);
      if (result instanceof Response) return result;
      if (c.env.config.checkResponses) {
        const checked = spec.response.schema.safeParse(result);
        if (!checked.success) {
          throw new ApiError(500, "internal_error", "internal error", {
            cause: new Error(`${spec.method.toUpperCase()} ${spec.path} answered outside its documented schema: ${checked.error.message}`),
          });
        }
      }
      return json(result, { status: spec.response.status ?? 200 });
    });

    const errors = [...new Set([...COMMON_ERRORS, ...(spec.errors ?? [])])].sort();
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      description: spec.description,
      tags: spec.tags,
      operationId: operationId(spec),
      security: spec.open === "anyone" ? [] : spec.open === "apikey" ? [{ apikey: [] }] : [{ bearer: [] }, { apikey: [] }],
      request: {
        params: spec.params,
        query: spec.query,
        body: spec.body
          ? { required: true, content: { "application/json": { schema: spec.body, ...(spec.example ? { example: spec.example } : {}) } } }
          : undefined,
      },
      responses: {
        [spec.response.status ?? 200]: {
          description: spec.response.description,
          content: { [spec.response.media ?? "application/json"]: { schema: spec.response.schema } },
        },
        ...Object.fromEntries(errors.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: ErrorBody } } }])),
      },
    });
  }

  const document = () =>
    new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: "3.1.0",
      info: { title: options.title, version: "1", description: options.description },
      servers: [{ url: "/functions/v1", description: "the project's functions (https://<project>.supabase.co/functions/v1)" }],
    });
  let cachedDocument: ReturnType<typeof document> | undefined;
  app.get(options.documentPath, () => json((cachedDocument ??= document())));
  methodsByPath.set(options.documentPath, ["GET"]);

  for (const [path, allowed] of methodsByPath) {
    app.all(honoPath(path), (c) => {
      if (c.req.method === "HEAD" && allowed.includes("GET")) return new Response(null, { status: 200 });
      throw methodNotAllowed(c.req.method, allowed);
    });
  }
  app.notFound((c) => {
    throw notFound(`no route ${c.req.method} ${c.req.path}`);
  });
  return { handler: (req, ctx) => app.fetch(req, ctx), document };
}

/** `GET /admin/users/{id}/roles/{role}` → `getAdminUsersIdRolesRole`: stable, derived, unique per route. */
function operationId(spec: Endpoint): string {
  const words = spec.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return spec.method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}
