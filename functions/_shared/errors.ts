// The one error type functions throw, and how it reaches the client: always
// `{ "error": { "code", "message", "debug_id" } }`, never a stack trace or SQL.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}

export const unauthorized = (message = "missing or invalid credentials") =>
  new ApiError(401, "unauthorized", message);

export const notFound = (message = "not found") => new ApiError(404, "not_found", message);

export const methodNotAllowed = (method: string) =>
  new ApiError(405, "method_not_allowed", `method ${method} is not allowed here`);

/** Anything that is not an ApiError is an internal error: its text stays in the log. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, "internal_error", "internal error", { cause: error });
}

export function errorBody(error: ApiError, debugId: string) {
  return {
    error: {
      code: error.code,
      message: error.message,
      debug_id: debugId,
      ...(error.details.field ? { field: error.details.field } : {}),
    },
  };
}
