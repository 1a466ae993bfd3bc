// The callers the API tests need, each a real credential: a platform admin's and a
// plain user's Supabase Auth JWTs, and personal access tokens with chosen scopes.
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

export async function signedInUser(label = "user"): Promise<TestCaller> {
  const email = uniqueEmail(label);
  const issued = await auth.tokenFor(email);
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
