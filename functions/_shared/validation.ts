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
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "body");
    throw new ApiError(400, "invalid_input", `${field}: ${issue.message}`, { field });
  }
  return parsed.data;
}
