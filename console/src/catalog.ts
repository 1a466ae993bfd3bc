// The RBAC catalog's built-in roles, the console's one copy: seeded by
// supabase/migrations/20261121000400_rbac_catalog.sql, where a change to them belongs first.
// The API offers no list of roles, so these are only what the console suggests and offers;
// the API stays the judge of validity (a deployment may add roles, and the API refuses a
// role that does not exist or ranks above the caller's).

/** Platform roles, suggested where one is typed. */
export const BUILT_IN_PLATFORM_ROLES = ["admin", "auditor", "reader"] as const;

/** Organization roles, highest first. */
export const ORG_ROLES = ["owner", "admin", "member", "viewer"] as const;
