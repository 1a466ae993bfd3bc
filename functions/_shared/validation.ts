// Request input: bounded JSON bodies, query strings and path parameters, each checked
// with the zod schema its endpoint documents. Unparseable input is a 400; input that
// parses but breaks the schema is a 422 naming every offending field.
import { z } from "zod";
import { ApiError, badRequest, invalidInput, type FieldProblem } from "./errors.ts";

export const MAX_BODY_BYTES = 64 * 1024;

// PostgreSQL text and jsonb cannot hold U+0000 (a NUL reaching a query fails it, a 500) nor
// an unpaired UTF-16 surrogate (JSON's "\ud800"), and no field of this API has a use for
// the other control characters but tab and newlines.
const NUL = "\u0000";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const hasControl = (text: string) => text.search(CONTROL) >= 0;

interface ControlFinding {
  /** The first field holding one, and that field's text. */
  field: string;
  text: string;
  sanitized: unknown;
}

/** The body with every control character (in strings and keys) replaced by U+FFFD, and the path of the first one. */
function findControl(value: unknown): ControlFinding | undefined {
  const found: { field?: string; text?: string } = {};
  const printable = (segment: string) => segment.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const walk = (v: unknown, at: string[]): unknown => {
    if (typeof v === "string") {
      if (!hasControl(v)) return v;
      if (found.field === undefined) [found.field, found.text] = [at.map(printable).join(".") || "body", v];
      return v.replace(CONTROL, "\uFFFD");
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, String(i)]));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (hasControl(key) && found.field === undefined) [found.field, found.text] = [[...at, key].map(printable).join("."), key];
        // defineProperty: a "__proto__" key stays a plain key, as JSON.parse made it.
        Object.defineProperty(out, key.replace(CONTROL, "\uFFFD"), { value: walk(item, [...at, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  const sanitized = walk(value, []);
  return found.field === undefined ? undefined : { field: found.field, text: found.text!, sanitized };
}

function controlProblem(field: string, text: string): FieldProblem {
  if (text.includes(NUL)) return { field, message: "must not contain the NUL character (\\u0000)" };
  if (LONE_SURROGATE.test(text)) return { field, message: "must be valid Unicode (an unpaired surrogate is not)" };
  return { field, message: "must not contain control characters" };
}

// A control character (a NUL, say) in an otherwise valid body is answered 422, but only
// after the request's SQL has run its permission check: a caller who may not act gets the
// audited refusal (403), as for any other input. readJson hands the handler the body with
// those characters replaced and leaves the error here, keyed by the request; callAsCaller
// (rpc.ts) runs the call and rolls it back with this error unless it was refused; http.ts
// answers it for a handler that never called SQL.
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
  const control = findControl(body);
  const controlError = control && invalidInput([controlProblem(control.field, control.text)]);
  const parsed = schema.safeParse(control ? control.sanitized : body);
  if (!parsed.success) {
    if (controlError) throw controlError;
    throw invalidInput(problemsOf(parsed.error));
  }
  if (controlError) deferredErrors.set(req, controlError);
  return parsed.data;
}

/** The query string as an object (a repeated name keeps its last value), checked by the schema. */
export function readQuery<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  const params = new URL(req.url).searchParams;
  const values: Record<string, string> = {};
  for (const [name, value] of params) {
    if (hasControl(value) || hasControl(name)) throw invalidInput([controlProblem(name.replace(CONTROL, "\uFFFD"), value + name)]);
    values[name] = value;
  }
  return parseWith(schema, values);
}
