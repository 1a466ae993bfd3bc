// The organization roles of the RBAC catalog (rbac_catalog migration), highest first. The
// API offers no list of them; it refuses a role that does not exist or ranks above yours.
export const ORG_ROLES = ["owner", "admin", "member", "viewer"] as const;
