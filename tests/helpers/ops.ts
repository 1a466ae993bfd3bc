// Helpers for the operator endpoints' tests (audit, RLS, status, metrics, health,
// plans): callers with platform roles, personal access tokens, HTTP calls, error
// checks, and extra function processes with their own environment (toggles, secrets).
import { expect } from "vitest";
import type postgres from "postgres";
import type { AuthService } from "../../stack/auth.ts";
import { functionUrl, uniqueEmail } from "./stack.ts";

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
