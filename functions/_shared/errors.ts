// The one error type functions throw, and how it reaches the client: always
// `{ "error": { "code", "message", "debug_id", "field"?, "fields"? } }`, never a stack
// trace, SQL or a secret.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ErrorDetails {
  field?: string;
  /** Every offending field, for validation errors. */
  fields?: FieldProblem[];
  /** Response headers the status requires (e.g. `allow` for 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
  }
}

export const unauthorized = (message = "missing or invalid credentials") =>
  new ApiError(401, "unauthorized", message);

export const notFound = (message = "not found") => new ApiError(404, "not_found", message);

export const methodNotAllowed = (method: string, allowed: string[]) =>
  new ApiError(405, "method_not_allowed", `method ${method} is not allowed here (allowed: ${allowed.join(", ")})`, {
    headers: { allow: allowed.join(", ") },
  });

/** Input that parsed but is not acceptable: 422 naming every offending field. */
export function invalidInput(problems: FieldProblem[]): ApiError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join("; ");
  return new ApiError(422, "invalid_input", message, { field: problems[0]?.field, fields: problems });
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);

interface DatabaseError {
  code: string;
  message: string;
  constraint_name?: string;
  column_name?: string;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  return typeof error === "object" && error !== null && "severity" in error && typeof (error as { code?: unknown }).code === "string";
}

// SQLSTATEs our SQL functions raise on purpose, with messages written for clients
// (`raise ... using column = '<field>'` names the field); and PostgreSQL's own refusals of a
// value for its type, whose messages are PostgreSQL's and so are not passed on.
const POSTGRES_VALUE_ERRORS = new Set(["22007", "22008", "22P02"]);
const DATABASE_STATUS: Record<string, [number, string]> = {
  "22023": [422, "invalid_input"],
  "22007": [422, "invalid_input"],
  "22008": [422, "invalid_input"],
  "22P02": [422, "invalid_input"],
  P0002: [404, "not_found"],
  "23505": [409, "conflict"],
  "42501": [403, "forbidden"],
  "55000": [409, "conflict"],
  PT403: [403, "quota_exceeded"],
};

/**
 * Connection-level failures: the database is unreachable or went away mid-request. The
 * socket's own errors (EPIPE: postgres.js writing to a connection the server has just
 * closed, as during a restart), postgres.js's, PostgreSQL's class 08 (connection exception)
 * and its shutdown and startup refusals (57P01-57P03).
 */
const UNAVAILABLE = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED",
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03",
]);

/** The database connection failed (as opposed to the database refusing a statement). */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNAVAILABLE.has(code);
}

/**
 * Anything that is not an ApiError is an internal error: its text stays in the log.
 * Database errors our own functions raise keep their (client-facing) message; errors
 * that carry a constraint name come from PostgreSQL itself and are not passed on.
 */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isConnectionFailure(error)) {
    return new ApiError(503, "unavailable", "the database is unavailable; try again", { cause: error });
  }
  if (isDatabaseError(error) && error.code in DATABASE_STATUS && !error.constraint_name) {
    const [status, apiCode] = DATABASE_STATUS[error.code];
    const field = error.column_name || undefined;
    const message = POSTGRES_VALUE_ERRORS.has(error.code) ? "a value is not valid for its type" : error.message;
    return new ApiError(status, apiCode, message, {
      cause: error,
      field,
      fields: field && status === 422 ? [{ field, message }] : undefined,
    });
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
      ...(error.details.fields ? { fields: error.details.fields } : {}),
    },
  };
}
