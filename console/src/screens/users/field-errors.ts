// The API names the field at fault (409 `field`, 422 `fields`); forms show that message on
// the field itself, while the toast still carries the code, status and debug id.
import { ApiFailure, unwrap } from "../../session/api.ts";

export class FieldFailure extends ApiFailure {
  constructor(
    detail: ApiFailure["detail"],
    readonly fields: Record<string, string>,
  ) {
    super(detail);
  }
}

interface ErrorBody {
  error?: { message?: string; field?: string; fields?: { field: string; message: string }[] };
}

/** unwrap(), keeping the fields the error body names. */
export function unwrapFields<T>(result: { data?: T; error?: unknown; response: Response }): T {
  try {
    return unwrap(result);
  } catch (error) {
    const body = (result.error ?? {}) as ErrorBody;
    if (!(error instanceof ApiFailure) || !body.error) throw error;
    const fields: Record<string, string> = {};
    for (const f of body.error.fields ?? []) fields[f.field] ??= f.message;
    if (body.error.field && !fields[body.error.field]) fields[body.error.field] = body.error.message ?? error.detail.message;
    throw Object.keys(fields).length ? new FieldFailure(error.detail, fields) : error;
  }
}

/** The message for one field, if the error names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof FieldFailure ? error.fields[field] : undefined;
}
