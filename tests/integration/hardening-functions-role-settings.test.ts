// Issue 10 item 18: requests run as the API roles on a database that carries Supabase's
// 2026 role settings (session_preload_libraries, safeupdate.enabled on anon and
// authenticated). withIdentity must apply only what PostgREST applies: settings the
// connecting role may set (pg_settings.context = 'user' or has_parameter_privilege SET).
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { withIdentity, type ApiRole } from "../../functions/_shared/db.ts";
import { authService, functionUrl, stack, uniqueEmail } from "../helpers/stack.ts";

const sql = postgres(stack.dbUrl, { max: 1, prepare: false, onnotice: () => {} });
afterAll(() => sql.end());
const auth = authService();

const roles: ApiRole[] = ["anon", "authenticated", "service_role"];
const identity = (role: ApiRole) => ({ role, claims: role === "authenticated" ? { sub: "2b7e8c1e-2f0a-4f51-9a43-1f4f3c9d0c11" } : {} });

// Every ALTER ROLE ... SET of the API roles, with whether the connecting role may set it.
async function apiRoleSettings() {
  return sql<{ rolname: ApiRole; name: string; value: string; settable: boolean | null }[]>`
    select r.rolname, split_part(e, '=', 1) as name, substr(e, strpos(e, '=') + 1) as value,
           (select s.context = 'user' or has_parameter_privilege(current_user, s.name, 'SET')
            from pg_settings s where s.name = lower(split_part(e, '=', 1))) as settable
    from pg_db_role_setting d join pg_roles r on r.oid = d.setrole, unnest(d.setconfig) e
    where r.rolname in ('anon', 'authenticated', 'service_role')`;
}

describe("Supabase 2026 role settings (safeupdate)", () => {
  it("the platform layer gives anon and authenticated settings the postgres role may not set", async () => {
    const settings = await apiRoleSettings();
    for (const role of ["anon", "authenticated"]) {
      const names = settings.filter((s) => s.rolname === role).map((s) => s.name);
      expect(names, role).toEqual(expect.arrayContaining(["session_preload_libraries", "safeupdate.enabled", "statement_timeout"]));
    }
    expect(settings.find((s) => s.name === "session_preload_libraries")?.settable).toBe(false);
  });

  it.each(roles)("a request as %s succeeds although its role carries settings postgres may not set", async (role) => {
    const [row] = await withIdentity(sql, identity(role), (tx) => tx`select current_user as role`);
    expect(row.role).toBe(role);
  });

  it("every role setting is applied exactly when the connecting role may set it, as PostgREST does", async () => {
    const settings = await apiRoleSettings();
    expect(settings.length).toBeGreaterThan(0);
    for (const setting of settings) {
      // Read back as the session user: the API roles may not examine superuser-only settings.
      const [row] = await withIdentity(sql, identity(setting.rolname), async (tx) => {
        await tx`reset role`;
        return tx`select current_setting(${setting.name}, true) as value`;
      });
      const label = `${setting.rolname} ${setting.name}=${setting.value}`;
      if (setting.settable) expect(row.value, label).toBe(setting.value);
      else expect(row.value ?? "", label).not.toBe(setting.value);
    }
  });

  it("an edge function request as a signed-in user answers 200 on such a database", async () => {
    const { accessToken } = await auth.tokenFor(uniqueEmail("safeupdate"));
    const res = await fetch(functionUrl("me"), { headers: { authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
  });
});
