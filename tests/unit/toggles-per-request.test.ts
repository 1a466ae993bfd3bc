// SPEC F15: a toggle's change counts from the very next request to a running function,
// not from its next start: the pipeline reads the variables for every request.
import { describe, expect, it } from "vitest";
import { defineFunction } from "../../functions/_shared/http.ts";

describe("toggles are read per request", () => {
  it("USER_MGMT_CORE switched off and on again between two requests to one running function", async () => {
    const env: Record<string, string | undefined> = { USER_MGMT_CORE: "0", SUPABASE_URL: "http://127.0.0.1:9", SUPABASE_DB_URL: "postgres://nobody@127.0.0.1:9/none", SUPABASE_SECRET_KEYS: '{"default":"sb_secret_x"}' };
    // A path open to anyone, so the handler answers without a database or credentials.
    const fn = defineFunction({ name: "admin", auth: ["user"], handler: () => new Response("handled"), core: true, publicPaths: ["/admin/doc"] }, env);
    const request = () => fn.fetch(new Request("http://fn/admin/doc"));
    expect((await request()).status).toBe(404);
    env.USER_MGMT_CORE = "on";
    const shown = await request();
    expect(shown.status).toBe(200);
    expect(await shown.text()).toBe("handled");
    env.USER_MGMT_CORE = "no";
    expect((await request()).status).toBe(404);
  });
});
