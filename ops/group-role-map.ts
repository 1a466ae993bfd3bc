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
