// The callers the API tests need, each a real credential: a platform admin's and a
// plain user's Supabase Auth JWTs, and personal access tokens with chosen scopes.
import { expect } from "vitest";
import { createAdminClient, createMeClient } from "../../client/index.ts";
import { authService, connect, functionUrl, stack, uniqueEmail } from "./stack.ts";

export const sql = connect();
export const auth = authService();

export interface TestCaller {
  /** The profile id (for Supabase Auth users, the auth user id too). */
  id: string;
  email: string;
  token: string;
}

/** A signed-in user. `organizations: false` takes away their personal organization: a user who holds no permission anywhere. */
export async function signedInUser(label = "user", options: { organizations?: boolean } = {}): Promise<TestCaller> {
  const email = uniqueEmail(label);
  const issued = await auth.tokenFor(email);
  if (options.organizations === false) {
    await sql`delete from public.organizations o where o.is_personal and o.id in (select m.organization_id from public.memberships m where m.user_id = ${issued.user.id})`;
  }
  return { id: issued.user.id, email, token: issued.accessToken };
}

/** A user holding the platform role (admin by default), granted the way an operator would. */
export async function platformUser(role = "admin", label = `platform-${role}`): Promise<TestCaller> {
  const user = await auth.signUp({ email: uniqueEmail(label) });
  await sql`insert into public.platform_role_assignments (user_id, role, source) values (${user.id}, ${role}, 'admin')`;
  const issued = await auth.signIn(user.id);
  return { id: user.id, email: user.email!, token: issued.accessToken };
}

/** A personal access token of this user with exactly these scopes. */
export async function personalAccessToken(owner: TestCaller, scopes: string[]): Promise<string> {
  const res = await fetch(functionUrl("me/tokens"), {
    method: "POST",
    headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `t-${Math.random().toString(36).slice(2, 8)}`, scopes, expires_in_days: 1 }),
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

export const adminClient = (token?: string) => createAdminClient({ url: stack.url, token });
export const meClient = (token?: string) => createMeClient({ url: stack.url, token });

/** Audit events with this request id (the x-debug-id of the response). */
export async function auditedFor(response: Response) {
  return sql<{ action: string; outcome: string; actor_id: string | null }[]>`
    select action, outcome, actor_id from public.audit_events where request_id = ${response.headers.get("x-debug-id")} order by id`;
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
export async function expectDeniedEvent(res: Response, action: string, actorId: string): Promise<void> {
  expect((await auditedFor(res)).map((e) => ({ ...e }))).toEqual([{ action, outcome: "denied", actor_id: actorId }]);
}

/** Lowercase letters only: audit actions are ^[a-z_]+(\.[a-z_]+)+$. */
export function uniqueWord(prefix: string): string {
  const letters = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
  return `${prefix}_${letters}`;
}
