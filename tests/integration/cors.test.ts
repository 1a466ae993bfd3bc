// CORS for a console on another origin (a static host next to a hosted project): every
// function answers the preflight before any credential check, and every answer, errors
// included, carries the origin header and exposes the debug id. Origin "*", no credentials
// mode (functions/_shared/cors.ts says why).
import { describe, expect, it } from "vitest";
import { signedInUser } from "../helpers/callers.ts";
import { functionUrl, stack } from "../helpers/stack.ts";

const consoleOrigin = "https://console.example.org";

/** What supabase-js and the typed client send besides the CORS-safelisted ones. */
const requestedHeaders = ["authorization", "x-client-info", "apikey", "content-type"];

function expectCorsAnswer(res: Response): void {
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  expect(res.headers.get("access-control-expose-headers")?.split(/,\s*/)).toContain("x-debug-id");
  expect(res.headers.get("access-control-allow-credentials")).toBeNull();
}

async function preflight(path: string, method: string): Promise<Response> {
  return fetch(functionUrl(path), {
    method: "OPTIONS",
    headers: { origin: consoleOrigin, "access-control-request-method": method, "access-control-request-headers": requestedHeaders.join(",") },
  });
}

describe("CORS on the functions", () => {
  it.each([
    ["admin/users", "GET"],
    ["admin/users/00000000-0000-0000-0000-000000000000", "PATCH"],
    ["me/tokens", "POST"],
    ["me/tokens/00000000-0000-0000-0000-000000000000", "DELETE"],
    ["health", "GET"],
    ["plans", "GET"],
  ])("the preflight for %s (%s) is answered without credentials: 204, the method and every header supabase-js sends allowed", async (path, method) => {
    const res = await preflight(path, method);
    expect(res.status).toBe(204);
    expectCorsAnswer(res);
    expect(res.headers.get("access-control-allow-methods")?.split(/,\s*/)).toContain(method);
    const allowed = res.headers.get("access-control-allow-headers")?.split(/,\s*/) ?? [];
    for (const header of requestedHeaders) expect(allowed).toContain(header);
  });

  it("an actual call from another origin gets the origin header and can read x-debug-id", async () => {
    const user = await signedInUser("cors-call");
    const res = await fetch(functionUrl("me"), { headers: { origin: consoleOrigin, authorization: `Bearer ${user.token}`, apikey: stack.publishableKey } });
    expect(res.status).toBe(200);
    expectCorsAnswer(res);
    expect(res.headers.get("x-debug-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["no credentials (401)", "me", {}, 401],
    ["an unknown path (404)", "me/nothing-here", { auth: true }, 404],
    ["a method the path does not have (405)", "health", { method: "PUT", auth: true }, 405],
    ["invalid input (422)", "me/tokens", { method: "POST", auth: true, body: "{}" }, 422],
    ["a refusal (403)", "admin/users", { auth: true }, 403],
  ] as const)("an error, %s, carries the CORS headers too, so the page can show its message and debug id", async (_name, path, options, status) => {
    const user = await signedInUser("cors-error");
    const headers: Record<string, string> = { origin: consoleOrigin, apikey: stack.publishableKey, "content-type": "application/json" };
    if ("auth" in options) headers.authorization = `Bearer ${user.token}`;
    const res = await fetch(functionUrl(path), { method: "method" in options ? options.method : "GET", headers, body: "body" in options ? options.body : undefined });
    expect(res.status).toBe(status);
    expectCorsAnswer(res);
    expect((await res.json()).error.debug_id).toBe(res.headers.get("x-debug-id"));
  });
});

describe("CORS on the local Supabase Auth (Kong's cors plugin)", () => {
  it("answers the preflight before the API key check, echoing the requested headers, and marks answers with the origin header", async () => {
    const res = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, {
      method: "OPTIONS",
      headers: { origin: consoleOrigin, "access-control-request-method": "POST", "access-control-request-headers": "apikey,authorization,content-type,x-client-info,x-supabase-api-version" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toBe("apikey,authorization,content-type,x-client-info,x-supabase-api-version");
    const refused = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, { method: "POST", headers: { origin: consoleOrigin }, body: "{}" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
  });
});
