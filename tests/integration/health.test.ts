// The health function through the whole path: gateway → Deno → credential check →
// database under the caller's identity (SPEC §2, F14 credential checks, F18).
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from "jose";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createHealthClient } from "../../client/index.ts";
import { shippedMigrations } from "../../functions/_shared/migrations.ts";
import { loadConfig, readToggles } from "../../functions/_shared/config.ts";
import type { Sql } from "../../functions/_shared/db.ts";
import { ApiError } from "../../functions/_shared/errors.ts";
import { health as healthHandler } from "../../functions/health/handler.ts";
import { local } from "../../stack/settings.ts";
import type { ProjectKeys } from "../../stack/keys.ts";
import { startExtraFunction } from "../helpers/function-process.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const auth = authService();
const sql = connect();
const health = functionUrl("health");
const ready = functionUrl("health/ready");

async function projectSigner() {
  const keys = JSON.parse(readFileSync(local.keysFile, "utf8")) as ProjectKeys;
  return { key: await importJWK(keys.signingKey, "ES256"), kid: keys.signingKey.kid };
}

/** Re-signs a real token's claims with changes, using the project's own key. */
async function resign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const { key, kid } = await projectSigner();
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT", ...header }).sign(key);
}

async function userClaims() {
  const issued = await auth.tokenFor(uniqueEmail("health"));
  return { token: issued.accessToken, claims: decodeJwt(issued.accessToken) as Record<string, unknown> };
}

async function expectUnauthorized(res: Response) {
  expect(res.status).toBe(401);
  const body = await res.json();
  expect(body.error.code).toBe("unauthorized");
  expect(body.error.debug_id).toBe(res.headers.get("x-debug-id"));
}

describe("health: accepted credentials", () => {
  it("a signed-in user reaches the database as authenticated with their own sub", async () => {
    const { token, claims } = await userClaims();
    const res = await fetch(health, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.caller).toEqual({ mode: "user", role: "authenticated", user_id: claims.sub });
    expect(body.database).toMatchObject({ ok: true, role: "authenticated", subject: claims.sub });
  });

  it("the publishable key reaches the database as anon", async () => {
    const res = await fetch(health, { headers: { apikey: stack.publishableKey } });
    expect(res.status).toBe(200);
    expect((await res.json()).database).toMatchObject({ role: "anon", subject: null });
  });

  it("the secret key reaches the database as service_role", async () => {
    const res = await fetch(health, { headers: { apikey: stack.secretKey } });
    expect(res.status).toBe(200);
    expect((await res.json()).database).toMatchObject({ role: "service_role" });
  });

  it("supabase-js style requests (publishable apikey plus user bearer) run as the user", async () => {
    const { token, claims } = await userClaims();
    const res = await fetch(health, { headers: { apikey: stack.publishableKey, authorization: `Bearer ${token}` } });
    expect((await res.json()).caller.user_id).toBe(claims.sub);
  });
});

describe("health: rejected credentials", () => {
  it("no credentials at all gets 401 with a JSON error and debug id", async () => {
    await expectUnauthorized(await fetch(health));
  });

  it("an unknown API key gets 401", async () => {
    await expectUnauthorized(await fetch(health, { headers: { apikey: "sb_publishable_not-a-real-key" } }));
  });

  it("a token with a tampered payload gets 401", async () => {
    const { token } = await userClaims();
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    payload.sub = "00000000-0000-0000-0000-000000000001";
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${forged}` } }));
  });

  it("a token signed by a key outside the project's JWKS gets 401", async () => {
    const { claims } = await userClaims();
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const kid = (await exportJWK(publicKey)).x!;
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid }).sign(privateKey);
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("an expired token gets 401", async () => {
    const { claims } = await userClaims();
    const now = Math.floor(Date.now() / 1000);
    const token = await resign({ ...claims, iat: now - 7200, exp: now - 3600 });
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("a token without exp gets 401 (the helper library alone would accept it)", async () => {
    const { claims } = await userClaims();
    const { exp: _exp, ...rest } = claims;
    const token = await resign(rest);
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("a token from another issuer gets 401", async () => {
    const { claims } = await userClaims();
    const token = await resign({ ...claims, iss: "https://evil.example/auth/v1" });
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("a token for another audience gets 401", async () => {
    const { claims } = await userClaims();
    const token = await resign({ ...claims, aud: "some-other-api" });
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("a token claiming the service_role role gets 401", async () => {
    const { claims } = await userClaims();
    const token = await resign({ ...claims, role: "service_role" });
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("a token without kid gets 401", async () => {
    const { claims } = await userClaims();
    const { key } = await projectSigner();
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "ES256" }).sign(key);
    await expectUnauthorized(await fetch(health, { headers: { authorization: `Bearer ${token}` } }));
  });
});

describe("health: HTTP behaviour", () => {
  it("answers CORS preflight with 204 and Supabase's CORS headers, before auth", async () => {
    const res = await fetch(health, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toContain("apikey");
  });

  it("rejects other methods with 405 and names the method", async () => {
    const res = await fetch(health, { method: "POST", headers: { apikey: stack.publishableKey } });
    expect(res.status).toBe(405);
    expect((await res.json()).error.message).toContain("POST");
  });

  it("logs one structured line per request with the debug id", async () => {
    const res = await fetch(health, { headers: { apikey: stack.publishableKey } });
    const debugId = res.headers.get("x-debug-id")!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = readFileSync(stack.functionLog, "utf8").split("\n").filter((l) => l.includes(debugId));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0].replace(/^\[health\] /, ""));
    expect(entry).toMatchObject({ function: "health", method: "GET", path: "/health", status: 200 });
  });
});

describe("gateway", () => {
  it("serves the project's public JWKS with the signing key's kid", async () => {
    const res = await fetch(`${stack.url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const { keys } = await res.json();
    const { claims } = await userClaims();
    const { token } = await userClaims();
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    expect(keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(keys.every((k: Record<string, unknown>) => !("d" in k))).toBe(true);
    expect(claims.iss).toBe(`${stack.url}/auth/v1`);
  });

  it("answers 404 for a function that is not registered", async () => {
    const res = await fetch(functionUrl("no-such-function"));
    expect(res.status).toBe(404);
  });
});

describe("health: toggles (SPEC F15)", () => {
  it("GET /health reports the four toggles, all on by default", async () => {
    const client = createHealthClient({ url: stack.url, apikey: stack.publishableKey });
    const { data, response } = await client.GET("/health");
    expect(response.status).toBe(200);
    expect(data!.toggles).toEqual({ USER_MGMT_CORE: true, USER_MGMT_UI: true, USER_MGMT_ENFORCE: true, USER_MGMT_RLS_ENFORCE: true });
  });

  it("reports what the function's environment says: 1/true/yes/on (any case) are on, anything else off; RLS enforcement inherits ENFORCE", async () => {
    const fn = await startExtraFunction("health", { USER_MGMT_CORE: "0", USER_MGMT_UI: " YES ", USER_MGMT_ENFORCE: "off", USER_MGMT_RLS_ENFORCE: "" });
    const res = await fetch(fn.url("health"), { headers: { apikey: stack.publishableKey } });
    expect((await res.json()).toggles).toEqual({ USER_MGMT_CORE: false, USER_MGMT_UI: true, USER_MGMT_ENFORCE: false, USER_MGMT_RLS_ENFORCE: false });
    await fn.stop();
  });

  it("USER_MGMT_RLS_ENFORCE set wins over ENFORCE", async () => {
    const fn = await startExtraFunction("health", { USER_MGMT_ENFORCE: "false", USER_MGMT_RLS_ENFORCE: "On" });
    const res = await fetch(fn.url("health"), { headers: { apikey: stack.publishableKey } });
    expect((await res.json()).toggles).toMatchObject({ USER_MGMT_ENFORCE: false, USER_MGMT_RLS_ENFORCE: true });
    await fn.stop();
  });
});

describe("health: readiness", () => {
  it("GET /health/ready: the database answers and every shipped migration is applied", async () => {
    const res = await fetch(ready, { headers: { apikey: stack.publishableKey } });
    expect(res.status).toBe(200);
    const body = await res.json();
    const [applied] = await sql`select count(*)::int as n from supabase_migrations.schema_migrations`;
    expect(body).toMatchObject({
      status: "ready",
      database: { ok: true },
      migrations: { current: true, shipped: shippedMigrations.length, applied: applied.n, newer_applied: [], latest_shipped: shippedMigrations.at(-1)!.version },
    });
  });

  it("needs a credential like /health: none at all is 401", async () => {
    await expectUnauthorized(await fetch(ready));
  });

  it("is 503 naming the missing migrations when one the functions ship is not applied", async () => {
    const missing = shippedMigrations.at(-1)!;
    const applied = shippedMigrations.slice(0, -1).map((m) => m.version);
    // The handler itself, with a database that has every migration but the newest.
    const stub = (() => Promise.resolve([{ versions: applied }])) as unknown as Sql;
    const ctx = {
      caller: { mode: "publishable" as const, role: "anon" as const, claims: { role: "anon" }, userId: null },
      sql: stub,
      config: { ...loadConfig({ SUPABASE_URL: stack.url, SUPABASE_DB_URL: stack.dbUrl, SUPABASE_SECRET_KEYS: JSON.stringify({ default: stack.secretKey }) }), checkResponses: true },
      toggles: readToggles({}),
      debugId: "test",
    };
    const failure = await Promise.resolve(healthHandler(new Request("http://function/health/ready"), ctx)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 503, code: "not_ready" });
    expect((failure as ApiError).message).toContain(`${missing.version}_${missing.name}`);
  });

  it("is 503 (unavailable) with a JSON error when the database cannot be reached", async () => {
    const fn = await startExtraFunction("health", { SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:1/postgres" });
    const res = await fetch(fn.url("health/ready"), { headers: { apikey: stack.publishableKey } });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "unavailable", debug_id: res.headers.get("x-debug-id") });
    await fn.stop();
  });

  it("other methods get 405 with allow; the OpenAPI document is served", async () => {
    const res = await fetch(ready, { method: "DELETE", headers: { apikey: stack.publishableKey } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    const doc = await (await fetch(functionUrl("health/openapi.json"), { headers: { apikey: stack.publishableKey } })).json();
    expect(Object.keys(doc.paths)).toEqual(["/health", "/health/ready"]);
  });
});
