// `npm run idp:mapping -- --clear` clears the mapping on purpose (issue 10 item 24).
// Run inside a transaction that is rolled back: other files rely on the mapping.
import { describe, expect, it } from "vitest";
import { storeMapping } from "../../ops/load-group-role-map.ts";
import { mappingLoad } from "../../ops/group-role-map.ts";
import { connect } from "../helpers/stack.ts";

const sql = connect();
class Rollback extends Error {}

describe("idp:mapping -- --clear", () => {
  it("stores the empty mapping and no default roles", async () => {
    let seen: { mappings: number; defaults: string[]; stored: unknown } | undefined;
    await sql
      .begin(async (tx) => {
        await storeMapping(tx, mappingLoad({ OIDC_GROUP_ROLE_MAP: "ops=auditor", OIDC_GROUP_ROLE_DEFAULTS: "reader" }, []));
        const stored = await storeMapping(tx, mappingLoad({}, ["--clear"]));
        const [{ count }] = await tx`select count(*)::int as count from private.group_role_mappings`;
        const [{ defaults }] = await tx`select default_platform_roles as defaults from private.settings`;
        seen = { mappings: count, defaults, stored };
        throw new Rollback();
      })
      .catch((error) => {
        if (!(error instanceof Rollback)) throw error;
      });
    expect(seen).toEqual({ mappings: 0, defaults: [], stored: { mapping: {}, defaults: [] } });
  });
});
