// functions/_shared/db.ts: requests run under the caller's identity exactly as
// PostgREST runs them (SPEC §2 principle 1; facts sheet §4).
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { withIdentity } from "../../functions/_shared/db.ts";
import { stack } from "../helpers/stack.ts";

// One connection, so a leak into the next transaction would be visible.
const sql = postgres(stack.dbUrl, { max: 1, prepare: false, onnotice: () => {} });
afterAll(() => sql.end());

const userId = "2b7e8c1e-2f0a-4f51-9a43-1f4f3c9d0c11";
const user = { role: "authenticated" as const, claims: { sub: userId, role: "authenticated", aud: "authenticated" } };

describe("withIdentity", () => {
  it("switches role and claims, with role inside request.jwt.claims", async () => {
    const [row] = await withIdentity(sql, user, (tx) => tx`select current_user, auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'aud' as aud`);
    expect(row).toEqual({ current_user: "authenticated", uid: userId, role: "authenticated", aud: "authenticated" });
  });

  it("applies the role's own settings, as PostgREST does (anon 3s, authenticated 8s)", async () => {
    const [asUser] = await withIdentity(sql, user, (tx) => tx`select current_setting('statement_timeout') as t`);
    const [asAnon] = await withIdentity(sql, { role: "anon", claims: {} }, (tx) => tx`select current_setting('statement_timeout') as t`);
    expect(asUser.t).toBe("8s");
    expect(asAnon.t).toBe("3s");
  });

  it("sets the Data API search path and request metadata", async () => {
    const [row] = await withIdentity(
      sql,
      user,
      (tx) => tx`select current_setting('search_path') as sp, current_setting('request.method') as m, current_setting('request.path') as p`,
      { method: "POST", path: "/health" },
    );
    expect(row).toEqual({ sp: "public, extensions", m: "POST", p: "/health" });
  });

  it("runs GET requests read-only", async () => {
    await expect(
      withIdentity(sql, { role: "service_role", claims: {} }, (tx) => tx`create temp table t (x int)`, { method: "GET", path: "/" }),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("leaves nothing behind on the pooled connection", async () => {
    await withIdentity(sql, user, (tx) => tx`select 1`);
    const [row] = await sql`select current_user, current_setting('request.jwt.claims', true) as claims`;
    expect(row.current_user).toBe("postgres");
    expect(row.claims ?? "").toBe("");
  });

  it("third-party subjects that are not UUIDs are readable through auth.jwt()", async () => {
    const clerk = { role: "authenticated" as const, claims: { sub: "user_2abcDEF", role: "authenticated" } };
    const [row] = await withIdentity(sql, clerk, (tx) => tx`select auth.jwt() ->> 'sub' as sub`);
    expect(row.sub).toBe("user_2abcDEF");
  });
});
