// The local gateway against what any web page open in the developer's browser can send it:
// a malformed path must not take it down, and the development sign-in and the mailbox
// answer only this machine's own tools and the console the gateway serves. Each test runs
// a gateway of its own (the Auth stand-in on the test database), so a crash would be this
// file's, not the shared stack's.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningFunction } from "../../stack/functions.ts";
import { startGateway, type Gateway } from "../../stack/gateway.ts";
import { authService, stack, uniqueEmail } from "../helpers/stack.ts";

let gateway: Gateway;
const logged: unknown[][] = [];
const consoleError = console.error;

beforeAll(async () => {
  // A function whose port cannot be read: the one way to make the gateway's own code throw
  // where nothing expected it.
  const broken = { name: "broken", verifyJwt: false, get port(): number { throw new Error("no port for this function"); } } as unknown as RunningFunction;
  gateway = await startGateway([broken], authService(), 0, "127.0.0.1", { enabled: true, publishableKey: stack.publishableKey });
  console.error = (...args: unknown[]) => void logged.push(args);
});
afterAll(async () => {
  console.error = consoleError;
  await gateway.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: the path as given (fetch would normalize it), any Host and Origin. */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: gateway.port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Tenantry's error format: {error: {code, message, debug_id}}, the debug id also in x-debug-id. */
function tenantryError(answer: Answer): { code: string; message: string } {
  const { error } = JSON.parse(answer.body) as { error: { code: string; message: string; debug_id: string } };
  expect(error.debug_id).toBe(answer.headers["x-debug-id"]);
  return error;
}

async function stillAnswers(): Promise<void> {
  expect((await send("/auth/v1/.well-known/jwks.json")).status).toBe(200);
}

describe("a malformed request does not take the gateway down", () => {
  it("a malformed percent-encoding under /console/ is a 400 in Tenantry's format, and the next request is answered", async () => {
    const answer = await send("/console/%E0%A4%A");
    expect(answer.status).toBe(400);
    expect(tenantryError(answer).code).toBe("bad_request");
    await stillAnswers();
  });

  it("under /functions/v1 and /auth/v1 the path is matched as sent, not decoded: an answer, never a crash", async () => {
    for (const path of ["/functions/v1/%E0%A4%A", "/functions/v1/nothing/%E0%A4%A", "/auth/v1/%E0%A4%A"]) {
      const answer = await send(path);
      expect([answer.status, tenantryError(answer).code], path).toEqual([404, "not_found"]);
    }
    const user = await send("/auth/v1/admin/users/%E0%A4%A", { headers: { apikey: stack.secretKey } });
    expect(user.status).toBeGreaterThanOrEqual(400);
    expect(user.status).toBeLessThan(500);
    await stillAnswers();
  });

  it("a request target that is no URL at all is a 400", async () => {
    const answer = await send("//[");
    expect(answer.status).toBe(400);
    expect(tenantryError(answer).code).toBe("bad_request");
    await stillAnswers();
  });

  it("anything else that throws is a 500 in Tenantry's format, logged, and the gateway carries on", async () => {
    const answer = await send("/functions/v1/broken/anything");
    expect(answer.status).toBe(500);
    expect(tenantryError(answer).code).toBe("internal_error");
    expect(logged.flat().some((entry) => entry instanceof Error && entry.message === "no port for this function")).toBe(true);
    await stillAnswers();
  });
});

describe("the development sign-in and the mailbox answer only this machine and the gateway's own pages", () => {
  const own = () => `127.0.0.1:${gateway.port}`;
  const signIn = (headers: Record<string, string>, email = uniqueEmail("dev-guard")) =>
    send("/console/dev/sign-in", { method: "POST", headers, body: JSON.stringify({ email }) });
  const json = { "content-type": "application/json" };

  it("a tool (no Origin) and the console's own page (same Origin, any loopback name) sign in", async () => {
    const tool = await signIn({ ...json, host: own() });
    expect(tool.status).toBe(200);
    expect(JSON.parse(tool.body)).toMatchObject({ access_token: expect.any(String) });
    const page = await signIn({ "content-type": "application/json; charset=utf-8", host: own(), origin: `http://${own()}` });
    expect(page.status).toBe(200);
    const named = await signIn({ ...json, host: `localhost:${gateway.port}`, origin: `http://localhost:${gateway.port}` });
    expect(named.status).toBe(200);
  });

  it("a body that is not declared JSON is refused (415): a page may send text/plain anywhere without asking", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const answer = await signIn({ "content-type": type, host: own() });
      expect([answer.status, tenantryError(answer).code], type).toEqual([415, "unsupported_media_type"]);
    }
    const none = await send("/console/dev/sign-in", { method: "POST", headers: { host: own() }, body: JSON.stringify({ email: uniqueEmail("dev-none") }) });
    expect(none.status).toBe(415);
  });

  it("another origin is refused (403), even with a JSON body", async () => {
    for (const origin of ["http://evil.example", `http://localhost:${gateway.port}`, `https://${own()}`, "null"]) {
      const answer = await signIn({ ...json, host: own(), origin });
      expect([answer.status, tenantryError(answer).code], origin).toEqual([403, "forbidden"]);
    }
  });

  it("a Host that is not this machine on this port is refused (403): DNS rebinding", async () => {
    for (const host of [`evil.example:${gateway.port}`, "127.0.0.1:1", `127.0.0.1.nip.io:${gateway.port}`]) {
      const answer = await signIn({ ...json, host, origin: `http://${host}` });
      expect([answer.status, tenantryError(answer).code], host).toEqual([403, "forbidden"]);
      const mail = await send("/mailbox/messages", { headers: { host } });
      expect([mail.status, tenantryError(mail).code], host).toEqual([403, "forbidden"]);
    }
  });

  it("the mailbox: this machine's tools and the gateway's own pages read it, other origins do not", async () => {
    const tool = await send("/mailbox/messages", { headers: { host: own() } });
    expect(tool.status).toBe(200);
    expect(JSON.parse(tool.body)).toEqual({ messages: [] });
    expect((await send("/mailbox/messages", { headers: { host: own(), origin: `http://${own()}` } })).status).toBe(200);
    const other = await send("/mailbox/messages", { headers: { host: own(), origin: "http://evil.example" } });
    expect([other.status, tenantryError(other).code]).toEqual([403, "forbidden"]);
  });
});
