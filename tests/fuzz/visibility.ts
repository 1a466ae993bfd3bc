// Which rows of each client-reachable table a caller may see, as the README's data model
// states it ("The data model" table), decided on the rows as they really are in the
// database and the model's idea of who belongs where. A table clients can reach that has
// no rule here fails the run: a new table cannot escape the comparison.
import type { Caller, Model } from "./model.ts";

export type Row = Record<string, unknown>;

export interface TableRule {
  /** Rows of this world (ids the world made); other rows in a shared database are not the model's. */
  inWorld(row: Row, world: WorldIds): boolean;
  visible(model: Model, caller: Caller, row: Row): boolean;
  /**
   * No client path reads this table with a personal access token's claims: a token reaches
   * SQL only through the edge functions, and none of them reads it. protect_table()'s
   * per-owner policies do not consult token scopes, so a token's view is not compared.
   */
  tokenUnreachable?: boolean;
  /** The only columns authenticated may read (README, The data model), when the table limits them. */
  readableColumns?: string[];
  /** Columns no client may ever read (hashes of secrets). */
  secretColumns?: string[];
}

export interface WorldIds {
  users: Set<string>;
  orgs: Set<string>;
  /** Audit events are compared from this id on (each check reads the events since the last one). */
  auditSince: bigint;
}

const str = (value: unknown) => (value === null || value === undefined ? null : String(value));
const signedIn = (caller: Caller) => caller.kind !== "anon";
const self = (model: Model, caller: Caller, userId: unknown) => {
  const user = model.actor(caller);
  return !!user && user.id === str(userId);
};
const everyRow = { inWorld: () => true };
const byOrg = (column: string) => ({ inWorld: (row: Row, w: WorldIds) => w.orgs.has(str(row[column])!) });
const byUser = (column: string) => ({ inWorld: (row: Row, w: WorldIds) => w.users.has(str(row[column])!) });

/** "any signed-in user reads": the role matrix, plan limits and flag definitions. */
const catalog: TableRule = { ...everyRow, visible: (_m, caller) => signedIn(caller) };

export const tableRules: Record<string, TableRule> = {
  "public.roles": catalog,
  "public.permissions": catalog,
  "public.role_permissions": catalog,
  "public.plan_limits": catalog,
  "public.feature_flags": catalog,
  "public.plan_feature_flags": catalog,
  "public.organizations": { ...byOrg("id"), visible: (m, c, row) => m.can(c, "org:read", str(row.id)) },
  "public.organization_feature_flags": { ...byOrg("organization_id"), visible: (m, c, row) => m.can(c, "org:read", str(row.organization_id)) },
  "public.memberships": {
    ...byOrg("organization_id"),
    visible: (m, c, row) => self(m, c, row.user_id) || m.can(c, "members:read", str(row.organization_id)),
  },
  "public.invitations": {
    ...byOrg("organization_id"),
    secretColumns: ["token_hash"],
    visible: (m, c, row) => {
      if (m.can(c, "members:manage", str(row.organization_id))) return true;
      const user = m.actor(c);
      return !!user && user.emailVerified && user.email.toLowerCase() === str(row.email)?.toLowerCase();
    },
  },
  "public.projects": { ...byOrg("organization_id"), visible: (m, c, row) => m.can(c, "data:read", str(row.organization_id)) },
  // Per-owner tables: a token's claims never reach them (see tokenUnreachable).
  "public.research_sessions": { ...byUser("user_id"), tokenUnreachable: true, visible: (m, c, row) => self(m, c, row.user_id) },
  "public.draft_files": { ...byUser("user_id"), tokenUnreachable: true, visible: (m, c, row) => self(m, c, row.user_id) },
  "public.profiles": {
    ...byUser("id"),
    readableColumns: ["avatar_url", "display_name", "email", "id"],
    visible: (m, c, row) => self(m, c, row.id) || m.teamMates(c).has(str(row.id)!) || m.hasPlatform(c, "users:admin"),
  },
  "public.platform_role_assignments": { ...byUser("user_id"), visible: (m, c, row) => self(m, c, row.user_id) || m.hasPlatform(c, "users:admin") },
  "public.role_overrides": { ...byUser("user_id"), visible: (m, c, row) => self(m, c, row.user_id) || m.hasPlatform(c, "users:admin") },
  "public.personal_access_tokens": {
    ...byUser("user_id"),
    secretColumns: ["token_hash"],
    visible: (m, c, row) => (self(m, c, row.user_id) && m.scopeAllows(c, "tokens:read")) || m.hasPlatform(c, "users:admin"),
  },
  "public.audit_events": {
    inWorld: (row, w) => BigInt(String(row.id)) > w.auditSince && (w.orgs.has(str(row.organization_id)!) || w.users.has(str(row.actor_id)!)),
    visible: (m, c, row) => m.can(c, "audit:read", str(row.organization_id)) || m.hasPlatform(c, "audit:read"),
  },
};
