// The operational toggles (SPEC F15) and their effects, each in a function started
// with the variable set, as a redeployed function would run.
import { beforeAll, describe, expect, it } from "vitest";
import { readToggles } from "../../functions/_shared/config.ts";
import { auditedFor, platformUser, signedInUser, sql, type TestCaller } from "../helpers/callers.ts";
import { startExtraFunction } from "../helpers/function-process.ts";
import { startTestIdp } from "../helpers/identity-provider.ts";

let plain: TestCaller;
let admin: TestCaller;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
/** The function started with these variables, as a fetch of the paths it sees (`/admin/users`). */
async function functionWith(name: string, env: Record<string, string>) {
  const fn = await startExtraFunction(name, env);
  return (path: string, init?: RequestInit) => fetch(fn.url(path), init);
}

beforeAll(async () => {
  plain = await signedInUser("toggle-plain");
  admin = await platformUser("admin", "toggle-admin");
});

describe("parsing (SPEC F15)", () => {
  it("1, true, yes, on in any case are on; unset or empty means the default (on); anything else is off", () => {
    for (const value of ["1", "true", "YES", "On", " on "]) expect(readToggles({ USER_MGMT_CORE: value }).core, value).toBe(true);
    for (const value of [undefined, "", "  "]) expect(readToggles({ USER_MGMT_CORE: value }).core, String(value)).toBe(true);
    for (const value of ["0", "false", "no", "off", "disabled", "2"]) expect(readToggles({ USER_MGMT_CORE: value }).core, value).toBe(false);
  });

  it("USER_MGMT_RLS_ENFORCE inherits USER_MGMT_ENFORCE unless set itself", () => {
    expect(readToggles({ USER_MGMT_ENFORCE: "0" }).rlsEnforce).toBe(false);
    expect(readToggles({ USER_MGMT_ENFORCE: "0", USER_MGMT_RLS_ENFORCE: "1" }).rlsEnforce).toBe(true);
    expect(readToggles({ USER_MGMT_RLS_ENFORCE: "off" })).toMatchObject({ enforce: true, rlsEnforce: false });
  });
});

describe("USER_MGMT_CORE=0", () => {
  it("hides every admin route (404), before any credential check", async () => {
    const admin0 = await functionWith("admin", { USER_MGMT_CORE: "0" });
    const res = await admin0("/admin/users", bearer(admin.token));
    expect(res.status).toBe(404);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "not_found", message: "no route GET /admin/users", debug_id: res.headers.get("x-debug-id") });
    expect((await admin0("/admin/orgs")).status).toBe(404);
  });

  it("stops just-in-time provisioning of third-party users; /me stays", async () => {
    const me0 = await functionWith("me", { USER_MGMT_CORE: "0" });
    const idp = await startTestIdp(sql);
    const clerk = await idp.provider(`clerk-toggles-${Math.random().toString(36).slice(2, 8)}`, { kind: "clerk" });
    const subject = `user_${Math.random().toString(36).slice(2, 10)}`;
    const res = await me0("/me", bearer(await clerk.sign({ sub: subject, email: `${subject}@example.test` })));
    await idp.close();
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toMatch(/no profile for this user yet/);
    expect(await sql`select 1 from public.profiles where identity_sub = ${subject}`).toHaveLength(0);
    expect((await me0("/me", bearer(plain.token))).status).toBe(200);
  });
});

describe("USER_MGMT_ENFORCE=0", () => {
  it("lets an active signed-in user read the admin API", async () => {
    const admin0 = await functionWith("admin", { USER_MGMT_ENFORCE: "0" });
    const res = await admin0("/admin/users?page_size=1", bearer(plain.token));
    expect(res.status).toBe(200);
  });

  it("but not change anything: a role granted under it would outlive the toggle", async () => {
    const admin0 = await functionWith("admin", { USER_MGMT_ENFORCE: "0" });
    const grant = await admin0(`/admin/users/${plain.id}/roles/admin`, { method: "PUT", ...bearer(plain.token) });
    expect(grant.status).toBe(403);
    expect(await auditedFor(grant)).toEqual([{ action: "platform_role.grant", outcome: "denied", actor_id: plain.id }]);
    expect(await sql`select 1 from public.platform_role_assignments where user_id = ${plain.id}`).toHaveLength(0);
  });

  it("waives nothing for callers who are nobody: no credentials, a disabled user", async () => {
    const admin0 = await functionWith("admin", { USER_MGMT_ENFORCE: "0" });
    expect((await admin0("/admin/users")).status).toBe(401);
    const victim = await signedInUser("toggle-disabled");
    await (await functionWith("admin", {}))(`/admin/users/${victim.id}/disable`, { method: "POST", ...bearer(admin.token) });
    expect((await admin0("/admin/users", bearer(victim.token))).status).toBe(403);
  });

  it("with enforcement on (the default) the same user is refused", async () => {
    const admin1 = await functionWith("admin", { USER_MGMT_ENFORCE: "yes" });
    expect((await admin1("/admin/users", bearer(plain.token))).status).toBe(403);
  });
});
