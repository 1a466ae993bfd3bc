// OIDC_GROUP_ROLE_MAP / OIDC_GROUP_ROLE_DEFAULTS parsing (SPEC F7).
import { describe, expect, it } from "vitest";
import { MappingError, parseGroupRoleMap, parseRoleList } from "../../ops/group-role-map.ts";

const asObject = (raw: string) => Object.fromEntries(parseGroupRoleMap(raw));

describe("OIDC_GROUP_ROLE_MAP", () => {
  it("parses comma-separated pairs", () => {
    expect(asObject("admins=admin,ops=auditor")).toEqual({ admins: ["admin"], ops: ["auditor"] });
  });

  it("parses newline-separated pairs, and a literal \\n as shells pass it", () => {
    expect(asObject("admins=admin\nops=auditor")).toEqual({ admins: ["admin"], ops: ["auditor"] });
    expect(asObject("admins=admin\\nops=auditor")).toEqual({ admins: ["admin"], ops: ["auditor"] });
  });

  it("appends roles when a group repeats, without duplicates", () => {
    expect(asObject("ops=publisher\nops=auditor,ops=auditor")).toEqual({ ops: ["publisher", "auditor"] });
  });

  it("compares groups case-insensitively", () => {
    expect(asObject("Admins=admin, ADMINS=reader, admins=admin")).toEqual({ admins: ["admin", "reader"] });
  });

  it("trims whitespace around entries, groups and roles", () => {
    expect(asObject("  admins =  admin ,\n\t ops= auditor  ")).toEqual({ admins: ["admin"], ops: ["auditor"] });
  });

  it("keeps spaces inside group names", () => {
    expect(asObject("Platform Team=admin")).toEqual({ "platform team": ["admin"] });
  });

  it("skips blank entries (trailing commas, empty lines)", () => {
    expect(asObject("admins=admin,,\n\n")).toEqual({ admins: ["admin"] });
    expect(asObject("")).toEqual({});
  });

  it.each([
    ["admins=admin,ops", 2, "ops", "expected group=role"],
    ["=admin", 1, "=admin", "the group is empty"],
    ["admins=", 1, "admins=", "the role is empty"],
    ["a=b=c", 1, "a=b=c", "expected group=role"],
    ["admins=admin\nops=super user", 2, "ops=super user", "is not a valid role name"],
    ["x=y,admins=Ädmin", 2, "admins=Ädmin", "is not a valid role name"],
  ])("rejects %j, naming entry %i %j", (raw, position, token, reason) => {
    let error: unknown;
    try {
      parseGroupRoleMap(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MappingError);
    expect(error).toMatchObject({ position, token });
    expect((error as Error).message).toContain(`entry ${position} "${token}"`);
    expect((error as Error).message).toContain(reason);
  });
});

describe("OIDC_GROUP_ROLE_DEFAULTS", () => {
  it("parses a comma or newline list, trimmed, lower-cased and deduplicated", () => {
    expect(parseRoleList(" Reader,auditor\nreader ")).toEqual(["reader", "auditor"]);
  });

  it("is empty when unset", () => {
    expect(parseRoleList(undefined)).toEqual([]);
  });

  it("rejects an entry that is not a role name, naming it", () => {
    expect(() => parseRoleList("reader,admins=admin")).toThrow('OIDC_GROUP_ROLE_DEFAULTS: entry 2 "admins=admin" is malformed');
  });
});
