// The reference model: Tenantry's rules as the README and SPEC state them, written
// without looking at how the SQL implements them. It holds the world as the rules say it
// must be after every operation, decides whether an operation must succeed, and which
// rows of each client-reachable table each caller may see.
//
// The role → permission matrix is read from the README's table ("The data model"); the
// fuzzer checks the database's catalog says the same before it starts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../stack/settings.ts";

export type OrgRole = "owner" | "admin" | "member" | "viewer";
export type PlatformRole = "admin" | "auditor" | "reader";

export const orgRoles: OrgRole[] = ["owner", "admin", "member", "viewer"];
export const platformRoles: PlatformRole[] = ["admin", "auditor", "reader"];

interface MatrixRow { role: string; scope: "org" | "platform"; rank: number; permissions: string[] }

/** The rows of the README table headed `| role | scope | rank | permissions |`. */
function readmeMatrix(): MatrixRow[] {
  const lines = readFileSync(path.join(projectRoot, "README.md"), "utf8").split("\n");
  const header = lines.findIndex((line) => /^\|\s*role\s*\|\s*scope\s*\|\s*rank\s*\|\s*permissions\s*\|$/.test(line.trim()));
  if (header < 0) throw new Error("the README has no role matrix table (| role | scope | rank | permissions |)");
  const rows: MatrixRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [role, scope, rank, permissions] = line.split("|").slice(1, 5).map((cell) => cell.trim());
    rows.push({
      role: role.replace(/`/g, ""),
      scope: scope as MatrixRow["scope"],
      rank: Number(rank),
      permissions: [...permissions.matchAll(/`([a-z_]+:[a-z_]+)`/g)].map((m) => m[1]),
    });
  }
  return rows;
}
const matrix = readmeMatrix();
const permissionsOf = <R extends string>(scope: MatrixRow["scope"], roles: R[]) =>
  Object.fromEntries(roles.map((role) => {
    const row = matrix.find((r) => r.scope === scope && r.role === role);
    if (!row) throw new Error(`the README's role matrix has no ${scope} role ${role}`);
    return [role, row.permissions];
  })) as Record<R, string[]>;

export const orgRank = Object.fromEntries(orgRoles.map((role) => [role, matrix.find((r) => r.scope === "org" && r.role === role)!.rank])) as Record<OrgRole, number>;
export const orgRolePermissions = permissionsOf("org", orgRoles);
export const platformRolePermissions = permissionsOf("platform", platformRoles);
/** Account permissions every signed-in user holds over their own account (README: Personal access tokens). */
export const accountPermissions = ["orgs:create", "orgs:join", "profile:write", "tokens:read", "tokens:manage"];
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
  /** The token this one was minted with, if a token minted it: it works only while that one does. */
  parentId: string | null;
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
  private orgIndex = new Map<string, Org>();
  orgById(id: string): Org | undefined {
    if (this.orgIndex.size !== this.orgs.length) this.orgIndex = new Map(this.orgs.map((o) => [o.id, o]));
    return this.orgIndex.get(id);
  }
  /** Answers that hold while nothing changes: the batch checks clear it before each caller. */
  readonly memo = new Map<string, unknown>();

  /** The active user a request acts as, or null: anonymous, unknown, foreign or disabled callers act as nobody. */
  actor(caller: Caller): User | null {
    if (caller.kind !== "user" && caller.kind !== "token") return null;
    if (caller.user.disabled) return null;
    if (caller.kind === "token" && !this.tokenWorks(caller.token)) return null;
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
  /** A token works while neither it nor the token it was minted with is revoked. */
  tokenWorks(token: Token): boolean {
    for (let t: Token | undefined = token; t; t = t.parentId ? this.tokens.find((x) => x.id === t!.parentId) : undefined) {
      if (t.revoked) return false;
    }
    return true;
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
    const cached = this.memo.get("teamMates") as Set<string> | undefined;
    if (cached) return cached;
    const mates = this.computeTeamMates(caller);
    this.memo.set("teamMates", mates);
    return mates;
  }
  private computeTeamMates(caller: Caller): Set<string> {
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
