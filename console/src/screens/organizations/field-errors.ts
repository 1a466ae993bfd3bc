// The API names the field at fault: a 422 lists every offending field, a 409 names the
// column in use (slug or name). The forms put those messages on their inputs; the
// failure is still an ApiFailure, so the toast shows it with its debug id as well.
import { ApiFailure, unwrap } from "../../session/api.ts";

export type FieldMessages = Partial<Record<string, string>>;

export class FieldFailure extends ApiFailure {
  constructor(failure: ApiFailure, readonly fields: FieldMessages) {
    super(failure.detail);
  }
}

interface ErrorBody {
  error?: { message?: string; field?: string; fields?: Array<{ field: string; message: string }> };
}

/** unwrap(), keeping the field names of the API's error body. */
export function unwrapFields<T>(result: { data?: T; error?: unknown; response: Response }): T {
  try {
    return unwrap(result);
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    const body = (result.error ?? {}) as ErrorBody;
    const fields: FieldMessages = {};
    for (const problem of body.error?.fields ?? []) fields[problem.field] ??= problem.message;
    if (body.error?.field) fields[body.error.field] ??= body.error.message ?? error.detail.message;
    throw new FieldFailure(error, fields);
  }
}

/** The field messages of a mutation's error, if the API named any. */
export const fieldMessages = (error: unknown): FieldMessages => (error instanceof FieldFailure ? error.fields : {});
