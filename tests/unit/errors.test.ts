// Every error a function returns has one shape and never leaks internals (SPEC F14).
import { describe, expect, it } from "vitest";
import { ApiError, asApiError, errorBody } from "../../functions/_shared/errors.ts";

describe("error responses", () => {
  it("carry code, message and debug id, plus the field for validation errors", () => {
    const error = new ApiError(400, "invalid_input", "slug must be lower-case", { field: "slug" });
    expect(errorBody(error, "d-1")).toEqual({
      error: { code: "invalid_input", message: "slug must be lower-case", debug_id: "d-1", field: "slug" },
    });
  });

  it("turn unexpected exceptions into a bare internal error, keeping the cause for the log only", () => {
    const cause = new Error('relation "secret_table" does not exist');
    const error = asApiError(cause);
    expect(error.status).toBe(500);
    expect(JSON.stringify(errorBody(error, "d-2"))).not.toContain("secret_table");
    expect(error.cause).toBe(cause);
  });
});
