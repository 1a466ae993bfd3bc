// Helpers for the operator endpoints' tests (audit, RLS, status, metrics, health,
// plans): callers with platform roles, personal access tokens, HTTP calls, error
// checks, and extra function processes with their own environment (toggles, secrets).
import { afterAll, expect } from "vitest";
import type postgres from "postgres";
import { functionEnv, startFunction, stopFunction } from "../../stack/functions.ts";
import { loadProjectConfig } from "../../stack/project-config.ts";
import type { AuthService } from "../../stack/auth.ts";
import { functionUrl, stack, uniqueEmail } from "./stack.ts";

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/**
 * A signed-up user, optionally holding a platform role (granted as an admin would, source
 * admin). Every signup owns a personal organization (and with it audit:read there);
 * `platformRole: null` removes it: a user who holds no permission anywhere.
 */
export async function userWith(auth: AuthService, sql: postgres.Sql, label: string, platformRole?: string | null): Promise<TestUser> {
  const email = uniqueEmail(label);
  const user = await auth.signUp({ email });
  if (platformRole === null) {
    await sql`delete from public.organizations o where o.is_personal and o.id in (select m.organization_id from public.memberships m where m.user_id = ${user.id})`;
  } else if (platformRole) {
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${user.id}, ${platformRole}, 'admin')`;
  }
  return { id: user.id, email, token: (await auth.signIn(user.id)).accessToken };
}

/** A personal access token of this user limited to the scopes (created through POST /me/tokens). */
export async function tokenOf(user: TestUser, scopes: string[]): Promise<string> {
  const res = await fetch(functionUrl("me/tokens"), {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `ops-${Math.random().toString(36).slice(2, 8)}`, scopes, expires_in_days: 1 }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

export function call(path: string, bearer?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (bearer) headers.set("authorization", `Bearer ${bearer}`);
  return fetch(functionUrl(path), { ...init, headers });
}

/** A JSON error answer: status, code, and the debug id in body and header. */
export async function expectError(res: Response, status: number, code?: string): Promise<{ code: string; message: string; field?: string; fields?: { field: string }[] }> {
  expect(res.status).toBe(status);
  const body = await res.json();
  if (code) expect(body.error.code).toBe(code);
  expect(body.error.debug_id).toBe(res.headers.get("x-debug-id"));
  return body.error;
}

/** The denial the refusal of this request wrote: one event, denied, by this actor. */
export async function expectDeniedEvent(sql: postgres.Sql, res: Response, action: string, actorId: string): Promise<void> {
  const events = await sql`
    select action, outcome, actor_id from public.audit_events where request_id = ${res.headers.get("x-debug-id")!}`;
  expect(events.map((e) => ({ action: e.action, outcome: e.outcome, actor_id: e.actor_id }))).toEqual([{ action, outcome: "denied", actor_id: actorId }]);
}

/** Lowercase letters only: audit actions are ^[a-z_]+(\.[a-z_]+)+$. */
export function uniqueWord(prefix: string): string {
  const letters = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
  return `${prefix}_${letters}`;
}

export interface ExtraFunction {
  /** `http://127.0.0.1:<port>/<path>` straight to the function (no gateway). */
  url(path: string): string;
  /** Everything it printed so far (its structured log lines). */
  lines: string[];
  /** Resolves with the first log line that parses as JSON and matches. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts one more process of a function from config.toml with extra environment
 * variables (a toggle, METRICS_TOKEN), as the platform starts a fresh isolate. Stopped
 * after the file's tests.
 */
export async function startExtraFunction(name: string, env: Record<string, string>): Promise<ExtraFunction> {
  const fn = loadProjectConfig().functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in config.toml`);
  const base = await functionEnv({ supabaseUrl: stack.url, dbUrl: stack.dbUrl });
  const lines: string[] = [];
  const waiters: { match: (entry: Record<string, unknown>) => boolean; resolve: (entry: Record<string, unknown>) => void }[] = [];
  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line.replace(/^\[[^\]]+\] /, ""));
    } catch {
      return undefined;
    }
  };
  const running = await startFunction(fn, { ...base, ...env }, (line) => {
    lines.push(line);
    const entry = parse(line);
    if (!entry) return;
    for (const waiter of [...waiters]) {
      if (waiter.match(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopFunction(running);
  };
  afterAll(stop);
  return {
    url: (path) => `http://127.0.0.1:${running.port}/${path.replace(/^\//, "")}`,
    lines,
    waitForLog(match) {
      const seen = lines.map(parse).find((entry) => entry && match(entry));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop,
  };
}
