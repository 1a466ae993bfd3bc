// The first platform admin (issue 10, item 19; SPEC F14): a documented, audited way in.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { authService, connect, stack, uniqueEmail } from "../helpers/stack.ts";

const auth = authService();
const sql = connect();

function grantAdmin(...args: string[]) {
  return spawnSync("npx", ["tsx", "ops/grant-admin.ts", ...args], {
    env: { ...process.env, SUPABASE_DB_URL: stack.dbUrl },
    encoding: "utf8",
  });
}

describe("F14 the first admin", () => {
  it("`npm run admin:grant -- <email>` makes that user a platform admin, audited as the operator", async () => {
    const email = uniqueEmail("first-admin");
    const { user } = await auth.tokenFor(email);
    const result = grantAdmin(email);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const [assignment] = await sql`select role, source from public.platform_role_assignments where user_id = ${user.id}`;
    expect(assignment).toEqual({ role: "admin", source: "admin" });
    const [event] = await sql`
      select actor_type, details ->> 'db_user' as db_user from public.audit_events
      where action = 'platform_role.grant' and target_id = ${user.id} order by id desc limit 1`;
    expect(event).toEqual({ actor_type: "operator", db_user: "postgres" });
  });

  it("refuses an email nobody has, saying what to do", async () => {
    const result = grantAdmin(uniqueEmail("nobody"));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no active user with email .*sign in once first/);
  });
});
