// The local API gateway on one port, shaped like a Supabase project's:
//   /functions/v1/<name>/...          → that function's Deno process (path without the prefix)
//   /auth/v1/.well-known/jwks.json    → the project's public signing keys
//   /auth/v1/admin/users…, /invite    → the Supabase Auth admin API (stack/auth-admin.ts)
//   /auth/v1/token, /otp, /verify,     → what supabase-js's sign-in calls: password, magic
//            /logout, /user              link (PKCE), refresh, sign-out (stack/auth-user-api.ts)
//   /mailbox/messages                  → the mail Auth would have sent (stack/auth-mailbox.ts)
//   /console/…                        → the admin console's static files (console/dist), its
//                                       config.json and the local-only development sign-in;
//                                       404 when the functions' USER_MGMT_UI is falsy
// It applies a function's `verify_jwt` setting the way the platform does: a valid
// user JWT is required before the function is invoked. A request that throws where nothing
// expected it gets a 500 (logged) rather than taking the gateway down.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { createLocalJWKSet, jwtVerify } from "jose";
import { authAdminApi } from "./auth-admin.ts";
import { Mailbox } from "./auth-mailbox.ts";
import { AuthSessions } from "./auth-sessions.ts";
import { authUserApi } from "./auth-user-api.ts";
import type { AuthService } from "./auth.ts";
import { jwks, projectKeys } from "./keys.ts";
import type { RunningFunction } from "./functions.ts";
import { serveConsoleFile } from "./console.ts";

export interface ConsoleOptions {
  /** The functions' USER_MGMT_UI: false answers every /console/ path with 404. */
  enabled: boolean;
  /** The publishable key the console sends as `apikey` (its config.json). */
  publishableKey: string;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** The project's documented error format (README "Error format"), debug id repeated in `x-debug-id`. */
function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const debugId = randomUUID();
  sendJson(res, status, { error: { code, message, debug_id: debugId } }, { "x-debug-id": debugId });
}

/**
 * Kong's cors plugin in front of Supabase Auth, as the platform configures it (no origins
 * set: "*"): a preflight is answered before the key check, with the requested headers
 * allowed; every other answer gets the origin header. True when the request is answered.
 */
function kongCors(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  res.setHeader("access-control-allow-origin", "*");
  if (req.method !== "OPTIONS" || !req.headers.origin || !req.headers["access-control-request-method"]) return false;
  res.writeHead(200, {
    "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
    ...(req.headers["access-control-request-headers"] ? { "access-control-allow-headers": req.headers["access-control-request-headers"] } : {}),
    "content-length": "0",
  });
  res.end();
  return true;
}

async function hasValidUserJwt(req: http.IncomingMessage, keySet: ReturnType<typeof createLocalJWKSet>): Promise<boolean> {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  try {
    await jwtVerify(match[1], keySet);
    return true;
  } catch {
    return false;
  }
}

// Reuse connections to the functions, as the platform's gateway does.
const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function proxy(req: http.IncomingMessage, res: http.ServerResponse, port: number, path: string): void {
  const upstream = http.request(
    {
      host: "127.0.0.1",
      port,
      method: req.method,
      path,
      // Like the platform's gateway, tell the function who the client is.
      headers: { ...req.headers, host: `127.0.0.1:${port}`, "x-forwarded-for": req.socket.remoteAddress ?? "" },
      agent: upstreamAgent,
    },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) sendJson(res, 502, { code: "BOOT_ERROR", message: "Function failed to respond" });
    else res.destroy();
  });
  req.pipe(upstream);
}

/**
 * The development sign-in and the mailbox are for the developer at this machine, never for
 * a page of another origin: a browser sends any page's cross-origin POST with a "simple"
 * content type without asking first (no preflight), and a DNS-rebinding name resolves to
 * 127.0.0.1 and arrives with its own Host. So the Host must be a loopback name on this
 * gateway's port, and an Origin, when one is sent (browsers do on every cross-origin request
 * and on same-origin POSTs), this gateway's own, as the browser addressed it. Tools that
 * send no Origin (curl, Node's fetch) pass. The refusal's message, or undefined.
 */
function localOnlyRefusal(req: http.IncomingMessage, port: number): string | undefined {
  const host = (req.headers.host ?? "").toLowerCase();
  const names = ["127.0.0.1", "localhost", "[::1]"];
  const hosts = names.map((name) => `${name}:${port}`).concat(port === 80 ? names : []);
  if (!hosts.includes(host)) {
    return `this path answers only requests addressed to this machine (Host ${hosts.slice(0, 3).join(", ")}), not ${JSON.stringify(req.headers.host ?? "")}`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return `this path answers only pages of this gateway (http://${host}), not ${JSON.stringify(origin)}`;
  }
  return undefined;
}

async function readJson(req: http.IncomingMessage, limit = 16_384): Promise<unknown> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new Error("body too large");
  }
  return JSON.parse(body);
}

/**
 * The console's paths. `POST /console/dev/sign-in {email}` mints an access token for that
 * email exactly as `npm run token` does (creating the user on first use): this gateway is
 * the local stack's only, listening on loopback; a hosted project has no such path.
 */
async function consoleRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  options: ConsoleOptions,
  auth: AuthService,
  origin: string,
  port: number,
): Promise<void> {
  if (!options.enabled) return sendError(res, 404, "not_found", "The admin console is turned off (USER_MGMT_UI)");
  if (url.pathname === "/console") {
    res.writeHead(308, { location: `/console/${url.search}` });
    return void res.end();
  }
  const subpath = url.pathname.slice("/console/".length);
  if (subpath === "config.json") {
    return sendJson(res, 200, { url: origin, publishableKey: options.publishableKey, devSignIn: true }, { "cache-control": "no-store" });
  }
  if (subpath === "dev/sign-in") {
    const refusal = localOnlyRefusal(req, port);
    if (refusal) return sendError(res, 403, "forbidden", refusal);
    if (req.method !== "POST") return sendError(res, 405, "method_not_allowed", "POST an email");
    // Only JSON: a page cannot send that cross-origin without a preflight, which is refused.
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (mediaType !== "application/json") return sendError(res, 415, "unsupported_media_type", "send {email} as JSON (content-type: application/json)");
    let email: unknown;
    try {
      email = ((await readJson(req)) as { email?: unknown })?.email;
    } catch {
      return sendError(res, 400, "bad_request", "expected a JSON body {email}");
    }
    if (typeof email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(email)) return sendError(res, 422, "invalid_email", "expected an email address");
    try {
      const issued = await auth.tokenFor(email);
      return sendJson(res, 200, { access_token: issued.accessToken, user_id: issued.user.id }, { "cache-control": "no-store" });
    } catch (error) {
      return sendError(res, 500, "sign_in_failed", error instanceof Error ? error.message : String(error));
    }
  }
  if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, 405, "method_not_allowed", "the console is static files");
  let file: string;
  try {
    file = decodeURIComponent(subpath);
  } catch {
    return sendError(res, 400, "bad_request", "the path's percent-encoding is malformed");
  }
  serveConsoleFile(res, file);
}

export async function startGateway(
  functions: RunningFunction[],
  auth: AuthService,
  port: number,
  host = "127.0.0.1",
  consoleOptions: ConsoleOptions = { enabled: false, publishableKey: "" },
): Promise<Gateway> {
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  const jwksDocument = await jwks();
  const keySet = createLocalJWKSet(jwksDocument);
  const keys = await projectKeys();
  const authAdmin = authAdminApi(auth, keys, keySet);
  const mailbox = new Mailbox();
  const authUser = authUserApi(auth, new AuthSessions(auth, mailbox, auth.issuer), keys, keySet);

  // Known once listening (port 0 picks one); the local-only paths check their Host against it.
  let listeningPort = port;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://gateway");
    } catch {
      return sendError(res, 400, "bad_request", "the request's target is not a valid URL");
    }
    if (url.pathname.startsWith("/auth/v1/") && kongCors(req, res)) return;
    if (url.pathname === "/auth/v1/.well-known/jwks.json") return sendJson(res, 200, jwksDocument);
    if (await authAdmin(req, res, url)) return;
    if (await authUser(req, res, url)) return;
    // Local only, like the CLI's Mailpit: the gateway listens on loopback.
    if (url.pathname === "/mailbox/messages" && req.method === "GET") {
      const refusal = localOnlyRefusal(req, listeningPort);
      if (refusal) return sendError(res, 403, "forbidden", refusal);
      return sendJson(res, 200, { messages: mailbox.list(url.searchParams.get("to") ?? undefined) }, { "cache-control": "no-store" });
    }
    if (url.pathname === "/console" || url.pathname.startsWith("/console/")) {
      return consoleRoute(req, res, url, consoleOptions, auth, `http://${req.headers.host ?? `${host}:${listeningPort}`}`, listeningPort);
    }

    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const fn = match ? byName.get(match[1]) : undefined;
    if (!fn) return sendError(res, 404, "not_found", "Requested function was not found");
    if (fn.verifyJwt && req.method !== "OPTIONS" && !(await hasValidUserJwt(req, keySet))) {
      return sendJson(res, 401, { code: "UNAUTHORIZED_INVALID_JWT_FORMAT", message: "Invalid JWT" });
    }
    proxy(req, res, fn.port, `/${fn.name}${match![2] ?? ""}${url.search}`);
  };

  const server = http.createServer((req, res) => {
    // An async handler's rejection would otherwise end the process (unhandled rejection).
    handle(req, res).catch((error: unknown) => {
      console.error(`gateway: ${req.method} ${req.url} failed:`, error);
      if (res.headersSent) return void res.destroy();
      sendError(res, 500, "internal_error", "the local gateway failed on this request; its output says why");
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EADDRINUSE") return reject(error);
      reject(
        new Error(
          `the gateway cannot listen on ${host}:${port}: the port is in use (another \`npm start\`?). ` +
            `Stop that (\`npm run stop\`) or set TENANTRY_GATEWAY_PORT to a free port (now ${process.env.TENANTRY_GATEWAY_PORT ?? "unset, default 54321"}).`,
          { cause: error },
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as { port: number }).port;
  listeningPort = actualPort;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
