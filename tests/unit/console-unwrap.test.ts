// The console's one reading of an answer (console/src/session/api.ts): data, or the failure
// the toast and the forms show, whoever wrote the error body.
import { describe, expect, it } from "vitest";
import { ApiFailure, fieldError, messageOf, unwrap } from "../../console/src/session/api.ts";

const answer = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

function failure(result: Parameters<typeof unwrap>[0]): ApiFailure {
  try {
    unwrap(result);
  } catch (error) {
    if (error instanceof ApiFailure) return error;
    throw error;
  }
  throw new Error("unwrap did not throw");
}

describe("unwrap", () => {
  it("returns the data of a success, and undefined for an empty success (204)", () => {
    expect(unwrap({ data: { ok: true }, response: answer(200) })).toEqual({ ok: true });
    expect(unwrap({ data: undefined, response: answer(204) })).toBeUndefined();
  });

  it("a Tenantry error keeps its code, message, debug id and the fields it names", () => {
    const f = failure({
      error: { error: { code: "validation_failed", message: "Invalid input", debug_id: "d-1", fields: [{ field: "slug", message: "too short" }, { field: "name", message: "required" }] } },
      response: answer(422),
    });
    expect(f.detail).toMatchObject({ status: 422, code: "validation_failed", message: "Invalid input", debugId: "d-1" });
    expect(fieldError(f, "slug")).toBe("too short");
    expect(fieldError(f, "name")).toBe("required");
    expect(fieldError(f, "description")).toBeUndefined();
  });

  it("a 409 naming one field puts its message on that field", () => {
    const f = failure({ error: { error: { code: "conflict", message: "slug in use", field: "slug" } }, response: answer(409) });
    expect(fieldError(f, "slug")).toBe("slug in use");
  });

  it("the platform gateway's {code, message} and Supabase Auth's {error_code, msg} keep their words", () => {
    const gateway = failure({ error: { code: "NOT_FOUND", message: "Requested function was not found" }, response: answer(404, { "x-debug-id": "gw-1" }) });
    expect(gateway.detail).toMatchObject({ code: "NOT_FOUND", message: "Requested function was not found", debugId: "gw-1" });
    const auth = failure({ error: { error_code: "invalid_credentials", msg: "Invalid login credentials" }, response: answer(400) });
    expect(auth.detail).toMatchObject({ code: "invalid_credentials", message: "Invalid login credentials" });
  });

  it("a body that is not JSON still fails with the status", () => {
    const f = failure({ error: "upstream timed out", response: answer(504) });
    expect(f.detail).toMatchObject({ status: 504, code: "http_504", message: "upstream timed out" });
    expect(messageOf(f)).toBe("upstream timed out");
    expect(messageOf(new Error("plain"))).toBe("plain");
  });
});
