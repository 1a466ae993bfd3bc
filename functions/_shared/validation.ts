// Request input: bounded JSON bodies checked with zod schemas, and path parameters.
// Every failure is a 400 that names the field.
import { z } from "zod";
import { ApiError } from "./errors.ts";

export const MAX_BODY_BYTES = 64 * 1024;

const uuid = z.uuid();

export function uuidParam(value: string | undefined, field: string): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw new ApiError(400, "invalid_input", `${field} must be a UUID`, { field });
  return parsed.data;
}

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

// A NUL in an otherwise valid body is answered 400, but only after the request's SQL has
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

export async function readJson<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", `the body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await req.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES) {
    throw new ApiError(413, "payload_too_large", `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "the body is not valid JSON");
  }
  const nul = findNul(body);
  const nulError = nul &&
    new ApiError(400, "invalid_input", `${nul.field}: must not contain the NUL character (\\u0000)`, { field: nul.field });
  const parsed = schema.safeParse(nul ? nul.sanitized : body);
  if (!parsed.success) {
    if (nulError) throw nulError;
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "body");
    throw new ApiError(400, "invalid_input", `${field}: ${issue.message}`, { field });
  }
  if (nulError) deferredErrors.set(req, nulError);
  return parsed.data;
}
