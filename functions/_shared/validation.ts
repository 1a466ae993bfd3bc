// Request input: bounded JSON bodies, query strings and path parameters, each checked
// with the zod schema its endpoint documents. Unparseable input is a 400; input that
// parses but breaks the schema is a 422 naming every offending field.
import { z } from "zod";
import { ApiError, badRequest, invalidInput, type FieldProblem } from "./errors.ts";

export const MAX_BODY_BYTES = 64 * 1024;

// PostgreSQL text and jsonb cannot hold U+0000; a NUL reaching a query fails it (a 500).
const NUL = "\u0000";

interface NulFinding {
  field: string;
  sanitized: unknown;
}

/** The body with every NUL (in strings and keys) replaced by U+FFFD, and the path of the first one. */
function findNul(value: unknown): NulFinding | undefined {
  const found: { field?: string } = {};
  const printable = (segment: string) => segment.replaceAll(NUL, "\\u0000");
  const walk = (v: unknown, at: string[]): unknown => {
    if (typeof v === "string") {
      if (!v.includes(NUL)) return v;
      found.field ??= at.map(printable).join(".") || "body";
      return v.replaceAll(NUL, "\uFFFD");
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, String(i)]));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (key.includes(NUL)) found.field ??= [...at, key].map(printable).join(".");
        // defineProperty: a "__proto__" key stays a plain key, as JSON.parse made it.
        Object.defineProperty(out, key.replaceAll(NUL, "\uFFFD"), { value: walk(item, [...at, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  const sanitized = walk(value, []);
  return found.field === undefined ? undefined : { field: found.field, sanitized };
}

// A NUL in an otherwise valid body is answered 422, but only after the request's SQL has
// run its permission check: a caller who may not act gets the audited refusal (403), as
// for any other input. readJson hands the handler the body with the NULs replaced and
// leaves the error here, keyed by the request; callAsCaller (rpc.ts) runs the call and
// rolls it back with this error unless it was refused; http.ts answers it for a handler
// that never called SQL.
const deferredErrors = new WeakMap<Request, ApiError>();

/** The input error readJson left for this request, if any; taking it marks it handled. */
export function takeDeferredInputError(req: Request): ApiError | undefined {
  const error = deferredErrors.get(req);
  deferredErrors.delete(req);
  return error;
}

/** Every issue of a failed parse, each naming its field (a dotted path; unknown fields one by one). */
function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const at = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: [...at, key].join("."), message: "is not a field you may set here" }));
    }
    return [{ field: at.join(".") || "body", message: issue.message }];
  });
}

/** Path parameters, query strings and bodies all fail the same way: 422 naming every field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(problemsOf(parsed.error));
  return parsed.data;
}

export async function readJson<T extends z.ZodType>(req: Request, schema: T): Promise<z.output<T>> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", `the body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await req.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES) {
    throw new ApiError(413, "payload_too_large", `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw badRequest("invalid_json", "the body is not valid JSON");
  }
  const nul = findNul(body);
  const nulError = nul && invalidInput([{ field: nul.field, message: "must not contain the NUL character (\\u0000)" }]);
  const parsed = schema.safeParse(nul ? nul.sanitized : body);
  if (!parsed.success) {
    if (nulError) throw nulError;
    throw invalidInput(problemsOf(parsed.error));
  }
  if (nulError) deferredErrors.set(req, nulError);
  return parsed.data;
}

/** The query string as an object (a repeated name keeps its last value), checked by the schema. */
export function readQuery<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  const params = new URL(req.url).searchParams;
  const values: Record<string, string> = {};
  for (const [name, value] of params) {
    if (value.includes(NUL) || name.includes(NUL)) {
      throw invalidInput([{ field: name.replaceAll(NUL, "\\u0000"), message: "must not contain the NUL character (\\u0000)" }]);
    }
    values[name] = value;
  }
  return parseWith(schema, values);
}
