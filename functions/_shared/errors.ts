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

interface DatabaseError {
  code: string;
  message: string;
  constraint_name?: string;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  return typeof error === "object" && error !== null && "severity" in error && typeof (error as { code?: unknown }).code === "string";
}

// SQLSTATEs our SQL functions raise on purpose, with messages written for clients.
const DATABASE_STATUS: Record<string, [number, string]> = {
  "22023": [400, "invalid_input"],
  "22P02": [400, "invalid_input"],
  P0002: [404, "not_found"],
  "23505": [409, "conflict"],
  "42501": [403, "forbidden"],
  "55000": [409, "conflict"],
  PT403: [403, "quota_exceeded"],
};

/**
 * Anything that is not an ApiError is an internal error: its text stays in the log.
 * Database errors our own functions raise keep their (client-facing) message; errors
 * that carry a constraint name come from PostgreSQL itself and are not passed on.
 */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseError(error) && error.code in DATABASE_STATUS && !error.constraint_name) {
    const [status, code] = DATABASE_STATUS[error.code];
    return new ApiError(status, code, error.message, { cause: error });
  }
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
