// Parsing OIDC_GROUP_ROLE_MAP and OIDC_GROUP_ROLE_DEFAULTS (SPEC F7).
//   OIDC_GROUP_ROLE_MAP="admins=admin, ops=auditor
//                        ops=reader"
// Pairs are separated by commas or newlines (a literal "\n" counts too, as shells
// often pass it); repeats for a group add roles; whitespace is trimmed; groups are
// compared case-insensitively. Blank entries are skipped; anything else that is not
// exactly `group=role` is an error naming the token and its position.

export class MappingError extends Error {
  constructor(
    readonly variable: string,
    readonly position: number,
    readonly token: string,
    reason: string,
  ) {
    super(`${variable}: entry ${position} "${token}" is malformed: ${reason}`);
  }
}

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

function tokens(raw: string): string[] {
  return raw.replace(/\\n/g, "\n").split(/[,\n]/);
}

/** group (lower-case) → roles, in first-seen order without duplicates. */
export function parseGroupRoleMap(raw: string | undefined, variable = "OIDC_GROUP_ROLE_MAP"): Map<string, string[]> {
  const mapping = new Map<string, string[]>();
  if (!raw) return mapping;
  tokens(raw).forEach((token, index) => {
    const entry = token.trim();
    if (entry === "") return;
    const parts = entry.split("=");
    if (parts.length !== 2) throw new MappingError(variable, index + 1, entry, "expected group=role");
    const group = parts[0].trim().toLowerCase();
    const role = parts[1].trim().toLowerCase();
    if (group === "") throw new MappingError(variable, index + 1, entry, "the group is empty");
    if (role === "") throw new MappingError(variable, index + 1, entry, "the role is empty");
    if (!ROLE_NAME.test(role)) throw new MappingError(variable, index + 1, entry, `"${role}" is not a valid role name`);
    const roles = mapping.get(group) ?? [];
    if (!roles.includes(role)) roles.push(role);
    mapping.set(group, roles);
  });
  return mapping;
}

/** Role names, deduplicated. */
export function parseRoleList(raw: string | undefined, variable = "OIDC_GROUP_ROLE_DEFAULTS"): string[] {
  const roles: string[] = [];
  if (!raw) return roles;
  tokens(raw).forEach((token, index) => {
    const role = token.trim().toLowerCase();
    if (role === "") return;
    if (!ROLE_NAME.test(role)) throw new MappingError(variable, index + 1, token.trim(), "expected a role name");
    if (!roles.includes(role)) roles.push(role);
  });
  return roles;
}

/** The shape private.replace_group_role_mapping() stores. */
export function toStoredMapping(mapping: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(mapping);
}

/** What `npm run idp:mapping` stores, decided before anything touches the database. */
export interface MappingLoad {
  mapping: Map<string, string[]>;
  defaults: string[];
  /** True when the operator asked for an empty mapping with --clear. */
  clear: boolean;
}

/** A load that would do something the operator did not ask for (e.g. wipe the mapping). */
export class RefusedLoad extends Error {}

const present = (value: string | undefined) => value !== undefined && value.trim() !== "";

/**
 * Reads OIDC_GROUP_ROLE_MAP / OIDC_GROUP_ROLE_DEFAULTS and the command's arguments.
 * Storing nothing replaces the whole mapping with nothing, so an empty load is refused
 * unless `--clear` asks for exactly that (and `--clear` with either variable set is a
 * contradiction, refused too).
 */
export function mappingLoad(env: NodeJS.ProcessEnv, args: string[]): MappingLoad {
  const unknown = args.filter((arg) => arg !== "--clear");
  if (unknown.length > 0) throw new RefusedLoad(`unknown argument ${unknown[0]} (usage: npm run idp:mapping [-- --clear])`);
  const clear = args.includes("--clear");
  if (clear) {
    const set = ["OIDC_GROUP_ROLE_MAP", "OIDC_GROUP_ROLE_DEFAULTS"].filter((name) => present(env[name]));
    if (set.length > 0) {
      throw new RefusedLoad(`--clear stores an empty mapping, but ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set; unset ${set.length > 1 ? "them" : "it"} or drop --clear`);
    }
    return { mapping: new Map(), defaults: [], clear };
  }
  const mapping = parseGroupRoleMap(env.OIDC_GROUP_ROLE_MAP);
  const defaults = parseRoleList(env.OIDC_GROUP_ROLE_DEFAULTS);
  if (mapping.size === 0 && defaults.length === 0) {
    throw new RefusedLoad(
      "refusing to store an empty group → role mapping: OIDC_GROUP_ROLE_MAP and OIDC_GROUP_ROLE_DEFAULTS are both unset or empty, " +
        "and storing that would delete every stored group mapping and default role. " +
        "Set them, or run `npm run idp:mapping -- --clear` to clear the mapping on purpose.",
    );
  }
  return { mapping, defaults, clear };
}
