// Every endpoint names the scope a personal access token needs (issue 10, item 6; SPEC F10).
import { beforeAll, describe, expect, it } from "vitest";
import { authService, functionUrl, uniqueEmail } from "../helpers/stack.ts";

const auth = authService();
let jwt: string;

beforeAll(async () => {
  jwt = (await auth.tokenFor(uniqueEmail("scopes"))).accessToken;
});

const call = (method: string, path: string, bearer: string, body?: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call("POST", "me/tokens", jwt, { name: `s-${Math.random().toString(36).slice(2, 8)}`, scopes, expires_in_days: 1 });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

describe("F10 token scopes on the HTTP API", () => {
  it("a data:read token cannot list tokens: 403 naming the scope", async () => {
    const res = await call("GET", "me/tokens", await tokenWith(["data:read"]));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/lacks the tokens:read scope/);
  });

  it("a tokens:read token lists them", async () => {
    const res = await call("GET", "me/tokens", await tokenWith(["tokens:read"]));
    expect(res.status).toBe(200);
    expect((await res.json()).tokens.length).toBeGreaterThan(0);
  });

  it("a data:read token cannot mint a token: 403", async () => {
    const res = await call("POST", "me/tokens", await tokenWith(["data:read"]), { name: "minted", scopes: ["data:read"], expires_in_days: 1 });
    expect(res.status).toBe(403);
  });

  it("GET /me with a token shows only the permissions the token can use", async () => {
    const me = await (await call("GET", "me", await tokenWith(["data:read"]))).json();
    const granted = new Set<string>([
      ...me.platform_permissions,
      ...me.account_permissions,
      ...me.memberships.flatMap((m: { permissions: string[] }) => m.permissions),
    ]);
    expect([...granted]).toEqual(["data:read"]);
    expect(me.token.scopes).toEqual(["data:read"]);
  });
});
