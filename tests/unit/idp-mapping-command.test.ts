// `npm run idp:mapping` with nothing to store refuses instead of wiping the mapping
// unless --clear asks for that (issue 10 item 24).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { mappingLoad, RefusedLoad } from "../../ops/group-role-map.ts";
import { projectRoot } from "../../stack/settings.ts";

const exec = promisify(execFile);

describe("idp:mapping with both variables unset", () => {
  it("refuses without --clear", () => {
    for (const env of [{}, { OIDC_GROUP_ROLE_MAP: "", OIDC_GROUP_ROLE_DEFAULTS: "  " }, { OIDC_GROUP_ROLE_MAP: " , \n" }]) {
      expect(() => mappingLoad(env, []), JSON.stringify(env)).toThrow(RefusedLoad);
      expect(() => mappingLoad(env, []), JSON.stringify(env)).toThrow(/--clear/);
    }
  });

  it("stores the empty mapping with --clear", () => {
    const load = mappingLoad({}, ["--clear"]);
    expect(load).toMatchObject({ defaults: [], clear: true });
    expect(load.mapping.size).toBe(0);
  });

  it("refuses --clear while a variable is set, and unknown arguments", () => {
    expect(() => mappingLoad({ OIDC_GROUP_ROLE_MAP: "admins=admin" }, ["--clear"])).toThrow(/OIDC_GROUP_ROLE_MAP is set/);
    expect(() => mappingLoad({ OIDC_GROUP_ROLE_DEFAULTS: "reader" }, ["--clear"])).toThrow(/OIDC_GROUP_ROLE_DEFAULTS is set/);
    expect(() => mappingLoad({}, ["--clean"])).toThrow(/unknown argument --clean/);
  });

  it("loads a mapping or defaults alone as before", () => {
    expect(mappingLoad({ OIDC_GROUP_ROLE_DEFAULTS: "reader" }, [])).toMatchObject({ defaults: ["reader"], clear: false });
    expect(Object.fromEntries(mappingLoad({ OIDC_GROUP_ROLE_MAP: "ops=auditor" }, []).mapping)).toEqual({ ops: ["auditor"] });
  });

  it("the command exits non-zero with the reason, before touching any database", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.OIDC_GROUP_ROLE_MAP;
    delete env.OIDC_GROUP_ROLE_DEFAULTS;
    // A database nobody listens on: reaching for it would fail with a connection error instead.
    env.SUPABASE_DB_URL = "postgresql://postgres:postgres@127.0.0.1:1/nowhere?sslmode=disable";
    const tsx = path.join(projectRoot, "node_modules", ".bin", "tsx");
    const failure = await exec(tsx, ["ops/load-group-role-map.ts"], { cwd: projectRoot, env }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/refusing to store an empty group → role mapping/);
    expect(failure?.stderr).toMatch(/OIDC_GROUP_ROLE_MAP and OIDC_GROUP_ROLE_DEFAULTS/);
    expect(failure?.stderr).toMatch(/--clear/);
    expect(failure?.stdout).not.toMatch(/stored/);
  });
});
