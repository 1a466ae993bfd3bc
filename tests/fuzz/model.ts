// The reference model: Tenantry's rules as the README and SPEC state them, written
// without looking at how the SQL implements them. It holds the world as the rules say it
// must be after every operation, decides whether an operation must succeed, and which
// rows of each client-reachable table each caller may see.
//
// The role → permission matrix is written out here from the README ("Org roles are
// owner > admin > member > viewer; platform roles are admin (everything), auditor and
// reader"); the fuzzer checks the database's catalog says the same before it starts.

export type OrgRole = "owner" | "admin" | "member" | "viewer";
export type PlatformRole = "admin" | "auditor" | "reader";

export const orgRoles: OrgRole[] = ["owner", "admin", "member", "viewer"];
export const platformRoles: PlatformRole[] = ["admin", "auditor", "reader"];
export const orgRank: Record<OrgRole, number> = { owner: 40, admin: 30, member: 20, viewer: 10 };

export const orgRolePermissions: Record<OrgRole, string[]> = {
  owner: ["audit:read", "data:read", "data:write", "members:manage", "members:read", "org:delete", "org:read", "org:update"],
  admin: ["audit:read", "data:read", "data:write", "members:manage", "members:read", "org:read", "org:update"],
  member: ["data:read", "data:write", "members:read", "org:read"],
  viewer: ["data:read", "members:read", "org:read"],
};
/** Account permissions every signed-in user holds over their own account (README: Personal access tokens). */
export const accountPermissions = ["orgs:create", "orgs:join", "profile:write", "tokens:read", "tokens:manage"];
export const platformRolePermissions: Record<PlatformRole, string[]> = {
  admin: [
    "audit:read", "data:read", "data:write", "flags:manage", "members:manage", "members:read", "org:delete", "org:read",
    "org:update", "orgs:create", "orgs:join", "profile:write", "rls:manage", "tokens:manage", "tokens:read", "users:admin",
  ],
  auditor: ["audit:read", "members:read", "org:read"],
  reader: ["data:read", "members:read", "org:read"],
};
export const allPermissions = [...new Set(Object.values(platformRolePermissions).flat())].sort();

export interface User {
  key: number;
  id: string;
  kind: "supabase" | "third_party";
  /** The JWT subject: the id for Supabase Auth users, a provider's own id otherwise. */
  sub: string;
  email: string;
  emailVerified: boolean;
  disabled: boolean;
  platformRoles: Set<PlatformRole>;
  displayName: string;
}
export interface Org {
  key: number;
  id: string;
  personal: boolean;
  isDefault: boolean;
  createdBy: string | null;
  members: Map<string, OrgRole>;
}
export interface Project {
  id: string;
  orgId: string;
  /** The starter project signing up made; an organization holds at most one. */
  isStarter: boolean;
}
export interface Session { id: string; ownerId: string; title: string }
export interface DraftFile { id: string; sessionId: string; ownerId: string }
export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  role: OrgRole;
  token: string;
  invitedBy: string;
  state: "pending" | "accepted" | "revoked";
}
export interface Token {
  id: string;
  userId: string;
  scopes: string[];
  revoked: boolean;
  /** The secret a client sends as its bearer (tnt_pat_…). */
  secret: string;
}

/** Who makes a request, as the database sees it. */
export type Caller =
  | { kind: "anon" }
  | { kind: "user"; user: User }
  | { kind: "token"; user: User; token: Token }
  /** A Supabase Auth token whose subject has no profile. */
  | { kind: "no_profile"; sub: string }
  /** A well-formed token of an issuer nobody registered, naming a real user's id. */
  | { kind: "foreign_issuer"; user: User };

export interface Limits {
  projectsPerOrg: number | null;
  orgsPerUser: number | null;
  tokensPerUser: number | null;
  membersPerOrg: number | null;
}

export class Model {
  users: User[] = [];
  orgs: Org[] = [];
  projects = new Map<string, Project>();
  sessions = new Map<string, Session>();
  files = new Map<string, DraftFile>();
  invitations: Invitation[] = [];
  tokens: Token[] = [];
  constructor(readonly limits: Limits) {}

  userById(id: string): User | undefined {
    return this.users.find((u) => u.id === id);
  }
  orgById(id: string): Org | undefined {
    return this.orgs.find((o) => o.id === id);
  }

  /** The active user a request acts as, or null: anonymous, unknown, foreign or disabled callers act as nobody. */
  actor(caller: Caller): User | null {
    if (caller.kind !== "user" && caller.kind !== "token") return null;
    if (caller.user.disabled) return null;
    if (caller.kind === "token" && caller.token.revoked) return null;
    return caller.user;
  }
  /** A personal access token limits what its user may do to its scopes. */
  scopeAllows(caller: Caller, permission: string): boolean {
    return caller.kind !== "token" || caller.token.scopes.includes(permission);
  }
  platformPermissions(user: User): Set<string> {
    return new Set([...user.platformRoles].flatMap((r) => platformRolePermissions[r]));
  }
  /** A platform-wide permission (one that is not about an organization or the caller's own account). */
  hasPlatform(caller: Caller, permission: string): boolean {
    const user = this.actor(caller);
    return !!user && this.scopeAllows(caller, permission) && this.platformPermissions(user).has(permission);
  }
  /** The permission in this organization: by membership, or platform-wide. */
  can(caller: Caller, permission: string, orgId: string | null): boolean {
    const user = this.actor(caller);
    if (!user || !orgId || !this.scopeAllows(caller, permission)) return false;
    const role = this.orgById(orgId)?.members.get(user.id);
    return (!!role && orgRolePermissions[role].includes(permission)) || this.platformPermissions(user).has(permission);
  }
  /** An account permission over one's own account. */
  canSelf(caller: Caller, permission: string): boolean {
    return !!this.actor(caller) && this.scopeAllows(caller, permission);
  }
  /** Permissions a user holds anywhere: what a token may be given. */
  heldPermissions(user: User): Set<string> {
    const held = new Set([...accountPermissions, ...this.platformPermissions(user)]);
    for (const org of this.orgs) {
      const role = org.members.get(user.id);
      if (role) orgRolePermissions[role].forEach((p) => held.add(p));
    }
    return held;
  }
  rankIn(user: User, orgId: string): number {
    if (this.platformPermissions(user).has("users:admin")) return Infinity;
    const role = this.orgById(orgId)?.members.get(user.id);
    return role ? orgRank[role] : 0;
  }
  owners(org: Org): number {
    return [...org.members.values()].filter((r) => r === "owner").length;
  }
  projectsIn(orgId: string): number {
    return [...this.projects.values()].filter((p) => p.orgId === orgId).length;
  }
  activeTokens(userId: string): number {
    return this.tokens.filter((t) => t.userId === userId && !t.revoked).length;
  }
  /** What orgs_per_user counts: organizations the user created, their personal one exempt (README: Quotas). */
  orgsCreatedBy(userId: string): number {
    return this.orgs.filter((o) => o.createdBy === userId && !o.personal && !o.isDefault).length;
  }
  /** Users whose profiles a caller sees as team mates: fellow members where the caller holds members:read by membership (never the default organization). */
  teamMates(caller: Caller): Set<string> {
    const user = this.actor(caller);
    const mates = new Set<string>();
    if (!user || !this.scopeAllows(caller, "members:read")) return mates;
    for (const org of this.orgs) {
      const role = org.members.get(user.id);
      if (org.isDefault || !role || !orgRolePermissions[role].includes("members:read")) continue;
      org.members.forEach((_, id) => mates.add(id));
    }
    return mates;
  }
}

const under = (limit: number | null, used: number) => limit === null || used < limit;
export { under };
