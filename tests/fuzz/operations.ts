// The operations the fuzzer runs: plain data (what, who, which slots), so a sequence
// replays in a fresh world and shrinks. Each is resolved against the model when it runs
// (a slot is an index into what exists then), the model says what must happen, the
// database is asked the way PostgREST asks it (functions/_shared/db.ts), and the model
// then takes on the effect the database reported.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { withIdentity } from "../../functions/_shared/db.ts";
import { allPermissions, orgRank, orgRolePermissions, orgRoles, platformRoles, under, type Caller, type Invitation, type Model, type Org, type OrgRole, type PlatformRole, type User } from "./model.ts";
import type { Random } from "./random.ts";
import { describeCaller, type World } from "./world.ts";

export type CallerRef =
  | { kind: "anon" | "no_profile" | "foreign_issuer" }
  | { kind: "user"; n: number }
  | { kind: "token"; n: number }
  /** A member of the organization the operation is about (the n-th), else user n. */
  | { kind: "member"; n: number }
  /** The user an invitation was sent to, else user n. */
  | { kind: "invitee"; n: number };

export interface Operation {
  kind: OperationKind;
  caller: CallerRef;
  a: number;
  b: number;
  role: string;
  flag: boolean;
  scopes: string[];
  /** Through the edge functions (HTTP), where the operation has an endpoint and the caller a bearer. */
  http: boolean;
}

interface Resolved {
  caller: Caller;
  org: Org;
  otherOrg: Org;
  user: User;
}

interface HttpRequest {
  method: string;
  path: string;
  body?: unknown;
}

interface Expectation {
  ok: boolean;
  /** A write clients may not make at all: refused by privilege or RLS (42501), or touching no row. */
  denied?: boolean;
  /** For table writes: how many rows the statement must touch (RLS hides rows silently). */
  rows?: number;
  why: string;
}

interface Outcome {
  ok: boolean;
  /** The SQLSTATE of a refusal raised as an error. */
  code?: string;
  rows: number;
  result: Record<string, unknown> | null;
  detail: string;
}

type Tx = postgres.TransactionSql;

interface Definition {
  weight: number;
  /** An RPC (reachable with a personal access token through the edge functions), not a table statement. */
  rpc?: boolean;
  /** The same operation through an edge function (README: The HTTP API), when it has one. */
  http?(op: Operation, r: Resolved, m: Model): HttpRequest | null;
  /** The statement, run as the caller. */
  run(tx: Tx, op: Operation, r: Resolved, m: Model): Promise<{ rows: number; result: Record<string, unknown> | null }> | null;
  expect(m: Model, op: Operation, r: Resolved): Expectation;
  /** What a successful answer must say, beyond succeeding: a description of the difference, or null. */
  verify?(m: Model, r: Resolved, result: Record<string, unknown>): string | null;
  apply(m: Model, op: Operation, r: Resolved, outcome: Outcome): void;
}

const pickFrom = <T>(items: T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
const rpc = async (query: postgres.PendingQuery<postgres.Row[]>) => {
  const [row] = await query;
  return { rows: 1, result: (row?.r ?? null) as Record<string, unknown> | null };
};
const refused = (why: string): Expectation => ({ ok: false, why });
const allowed = (why: string, rows?: number): Expectation => ({ ok: true, rows, why });
/** Anonymous requests hold no grant on any table: every table statement is refused. */
const tableWrite = (caller: Caller, rows: number, why: string): Expectation =>
  caller.kind === "anon" ? refused("anon holds no table grant") : allowed(why, rows);

const projectOf = (m: Model, op: Operation) => pickFrom([...m.projects.values()], op.a);
const sessionOf = (m: Model, op: Operation) => pickFrom([...m.sessions.values()], op.a);
const fileOf = (m: Model, op: Operation) => pickFrom([...m.files.values()], op.a);
const invitationOf = (m: Model, op: Operation) => pickFrom(m.invitations, op.a);
const tokenOf = (m: Model, op: Operation) => pickFrom(m.tokens, op.a);

/** May this user still invite with this role (README: accepting needs an inviter who may still invite)? */
function mayInvite(m: Model, inviter: User | undefined, org: Org, role: OrgRole): boolean {
  if (!inviter || inviter.disabled) return false;
  if (m.platformPermissions(inviter).has("users:admin")) return true;
  const own = org.members.get(inviter.id);
  return !!own && ["owner", "admin"].includes(own) && orgRank[role] <= orgRank[own];
}

/**
 * Writes clients may never make (README, The data model: "change through RPCs", "nobody
 * writes"): escalations written straight at the tables, as any caller. Each is a row that
 * would be valid, so only a privilege or a policy can stop it.
 */
const directWrites: ((tx: Tx, r: Resolved, self: string) => postgres.PendingQuery<postgres.Row[]>)[] = [
  (tx, r, self) => tx`insert into public.memberships (organization_id, user_id, role) values (${r.org.id}, ${self}, 'owner')`,
  (tx, r) => tx`update public.memberships set role = 'owner' where organization_id = ${r.org.id}`,
  (tx, r) => tx`delete from public.memberships where organization_id = ${r.org.id}`,
  (tx) => tx`insert into public.organizations (slug, name) values (${"direct-" + randomUUID().slice(0, 8)}, ${"Direct " + randomUUID()})`,
  (tx, r) => tx`update public.organizations set plan = 'enterprise' where id = ${r.org.id}`,
  (tx, r) => tx`delete from public.organizations where id = ${r.org.id}`,
  (tx, _r, self) => tx`insert into public.platform_role_assignments (user_id, role, source) values (${self}, 'admin', 'admin')`,
  (tx) => tx`update public.platform_role_assignments set role = 'admin'`,
  (tx) => tx`delete from public.platform_role_assignments`,
  (tx, _r, self) => tx`insert into public.role_overrides (user_id, preserved) values (${self}, '{admin}')`,
  (tx) => tx`update public.role_overrides set suppressed = '{}'`,
  (tx, r, self) => tx`
    insert into public.invitations (organization_id, email, role, token_hash, invited_by, expires_at)
    values (${r.org.id}, ${r.user.email}, 'owner', extensions.digest(${randomUUID()}, 'sha256'), ${self}, now() + interval '1 day')`,
  (tx) => tx`update public.invitations set role = 'owner', revoked_at = null`,
  (tx, _r, self) => tx`
    insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
    values (${self}, 'direct', 'tnt_pat_0000', extensions.digest(${randomUUID()}, 'sha256'), '{users:admin}', now() + interval '1 day')`,
  (tx) => tx`update public.personal_access_tokens set scopes = '{users:admin}', revoked_at = null`,
  (tx) => tx`update public.audit_events set outcome = 'success'`,
  (tx) => tx`delete from public.audit_events`,
  (tx) => tx`insert into public.role_permissions (scope, role, permission) values ('org', 'viewer', 'users:admin')`,
  (tx) => tx`update public.roles set rank = 99 where name = 'viewer'`,
  (tx) => tx`update public.plan_limits set max_value = null`,
  (tx) => tx`update public.feature_flags set description = 'direct'`,
  (tx, r) => tx`insert into public.organization_feature_flags (organization_id, key, value) select ${r.org.id}, f.key, 'true' from public.feature_flags f limit 1`,
  (tx, _r, self) => tx`update public.profiles set plan = 'enterprise' where id = ${self}`,
  (tx, _r, self) => tx`update public.profiles set disabled_at = null where id = ${self}`,
  (tx, r) => tx`update public.profiles set email = ${"taken-" + randomUUID().slice(0, 6) + "@example.test"} where id = ${r.user.id}`,
  (tx, _r, self) => tx`update public.profiles set identity_provider = 'supabase', identity_sub = ${randomUUID()} where id = ${self}`,
  (tx, _r, self) => tx`update public.profiles set email_verified = true, beta_features = '{"all": true}' where id = ${self}`,
  (tx, r) => tx`update public.profiles set display_name = 'hijacked' where id = ${r.user.id} and id <> (select private.caller_id())`,
];

/** The ids a list RPC answered: its array, or the first array among its fields. */
function listedIds(result: Record<string, unknown> | unknown[]): string[] {
  const list = Array.isArray(result) ? result : ((Object.values(result).find(Array.isArray) as unknown[] | undefined) ?? []);
  return (list as { id?: unknown }[]).map((item) => String(item.id)).sort();
}
const sameIds = (what: string, got: string[], want: string[]) =>
  JSON.stringify(got) === JSON.stringify([...want].sort()) ? null : `${what} listed [${got.join(" ")}], the model [${[...want].sort().join(" ")}]`;

const stillPending = (m: Model, i: Invitation) => i.state === "pending" && mayInvite(m, m.userById(i.invitedBy), m.orgById(i.orgId)!, i.role);

export const definitions: Record<string, Definition> = {
  // Reads through definer functions, which bypass RLS: what they answer is compared with the model.
  get_profile: {
    rpc: true,
    weight: 2,
    run: (tx, _op, r) => rpc(tx`select public.get_profile(${r.user.id}) as r`),
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      if (!actor) return refused("nobody to read as");
      const sees = actor.id === r.user.id || m.hasPlatform(r.caller, "users:admin") || m.teamMates(r.caller).has(r.user.id);
      return sees ? allowed("one's own, a team mate's, or users:admin") : refused("a stranger's profile needs users:admin");
    },
    verify: (m, r, result) => {
      if (result.id !== r.user.id) return `get_profile answered ${JSON.stringify(result).slice(0, 200)} for user ${r.user.key}`;
      const whole = m.actor(r.caller)!.id === r.user.id || m.hasPlatform(r.caller, "users:admin");
      const columns = Object.keys(result).sort().join(",");
      // A team mate sees the columns the data model lists, nothing more (no plan, status or identity).
      return whole || columns === "avatar_url,display_name,email,id" ? null : `get_profile showed a team mate the columns ${columns}`;
    },
    apply: () => {},
  },
  list_tokens: {
    rpc: true,
    weight: 2,
    run: (tx) => rpc(tx`select public.list_personal_access_tokens() as r`),
    expect: (m, _op, r) => (m.canSelf(r.caller, "tokens:read") ? allowed("tokens:read over one's own") : refused("listing tokens needs tokens:read")),
    verify: (m, r, result) => {
      const user = m.actor(r.caller)!;
      const got = listedIds(result);
      const own = new Set(m.tokens.filter((t) => t.userId === user.id).map((t) => t.id));
      const foreign = got.filter((id) => !own.has(id));
      const missing = m.tokens.filter((t) => t.userId === user.id && !t.revoked && !got.includes(t.id)).map((t) => t.id);
      return foreign.length || missing.length ? `list_personal_access_tokens shows others' [${foreign.join(" ")}] and misses own [${missing.join(" ")}]` : null;
    },
    apply: () => {},
  },
  list_my_invitations: {
    rpc: true,
    weight: 2,
    run: (tx) => rpc(tx`select public.list_my_invitations() as r`),
    expect: (m, _op, r) => (m.canSelf(r.caller, "orgs:join") ? allowed("orgs:join") : refused("needs an active caller with orgs:join")),
    verify: (m, r, result) => {
      const user = m.actor(r.caller)!;
      // One whose inviter may no longer invite with it is not pending: accepting it would be refused.
      const want = user.emailVerified ? m.invitations.filter((i) => stillPending(m, i) && i.email === user.email.toLowerCase()).map((i) => i.id) : [];
      return sameIds("list_my_invitations", listedIds(result), want);
    },
    apply: () => {},
  },
  list_invitations: {
    rpc: true,
    weight: 2,
    run: (tx, _op, r) => rpc(tx`select public.list_invitations(${r.org.id}) as r`),
    expect: (m, _op, r) => (m.can(r.caller, "members:manage", r.org.id) ? allowed("members:manage") : refused("no members:manage in the organization")),
    // The organization's list shows every unanswered one, its inviter's standing aside (the invitee's list hides those accepting would refuse).
    verify: (m, r, result) => sameIds("list_invitations", listedIds(result), m.invitations.filter((i) => i.state === "pending" && i.orgId === r.org.id).map((i) => i.id)),
    apply: () => {},
  },
  direct_write: {
    weight: 6,
    run: async (tx, op, r, m) => {
      const self = m.actor(r.caller)?.id ?? (r.caller.kind === "foreign_issuer" ? r.caller.user.id : r.user.id);
      const result = await directWrites[op.a % directWrites.length](tx, r, self);
      return { rows: result.count, result: null };
    },
    expect: () => ({ ok: false, denied: true, why: "clients change these only through RPCs, and audit events never" }),
    apply: () => {},
  },
  me_read: {
    rpc: true,
    weight: 3,
    http: () => ({ method: "GET", path: "me" }),
    run: (tx) => rpc(tx`select public.me() as r`),
    expect: (m, _op, r) => (m.actor(r.caller) ? allowed("an active caller reads their own account") : refused("nobody to read")),
    verify: (m, r, result) => {
      const user = m.actor(r.caller)!;
      const memberships = (result.memberships ?? []) as { organization_id: string; role: string; permissions: string[] }[];
      const got = memberships.map((x) => `${x.organization_id}/${x.role}/${[...x.permissions].sort().join(",")}`).sort();
      const want = m.orgs
        .filter((o) => o.members.has(user.id))
        .map((o) => {
          const role = o.members.get(user.id)!;
          const permissions = orgRolePermissions[role].filter((p) => m.scopeAllows(r.caller, p)).sort();
          return `${o.id}/${role}/${permissions.join(",")}`;
        })
        .sort();
      return JSON.stringify(got) === JSON.stringify(want) ? null : `me lists memberships ${JSON.stringify(got)}, the model ${JSON.stringify(want)}`;
    },
    apply: () => {},
  },
  project_insert: {
    weight: 10,
    run: async (tx, _op, r) => {
      const result = await tx`insert into public.projects (organization_id, name) values (${r.org.id}, ${"p " + randomUUID().slice(0, 8)}) returning id`;
      return { rows: result.count, result: result[0] ?? null };
    },
    expect: (m, _op, r) => {
      if (!m.can(r.caller, "data:write", r.org.id)) return refused("no data:write in the organization");
      if (!under(m.limits.projectsPerOrg, m.projectsIn(r.org.id))) return refused("projects_per_org is used up");
      return allowed("data:write", 1);
    },
    apply: (m, _op, r, o) => void m.projects.set(String(o.result!.id), { id: String(o.result!.id), orgId: r.org.id, isStarter: false }),
  },
  project_rename: {
    weight: 8,
    run: (tx, op, _r, m) => {
      const project = projectOf(m, op);
      return project ? tx`update public.projects set name = ${"renamed " + op.b} where id = ${project.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const project = projectOf(m, op)!;
      const sees = m.can(r.caller, "data:write", project.orgId) && m.can(r.caller, "data:read", project.orgId);
      return tableWrite(r.caller, sees ? 1 : 0, sees ? "data:write and data:read" : "the row is hidden");
    },
    apply: () => {},
  },
  project_move: {
    weight: 5,
    run: (tx, op, r, m) => {
      const project = projectOf(m, op);
      return project ? tx`update public.projects set organization_id = ${r.otherOrg.id} where id = ${project.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const project = projectOf(m, op)!;
      const from = project.orgId;
      const to = r.otherOrg.id;
      if (r.caller.kind === "anon") return refused("anon holds no table grant");
      if (!(m.can(r.caller, "data:write", from) && m.can(r.caller, "data:read", from))) return allowed("the row is hidden", 0);
      if (!m.can(r.caller, "data:write", to)) return refused("no data:write where the project would go");
      if (to !== from && !under(m.limits.projectsPerOrg, m.projectsIn(to))) return refused("projects_per_org is used up where it would go");
      if (to !== from && project.isStarter && [...m.projects.values()].some((p) => p.orgId === to && p.isStarter)) {
        return refused("an organization holds one starter project");
      }
      return allowed("data:write in both", 1);
    },
    apply: (m, op, r, o) => {
      if (o.rows === 1) projectOf(m, op)!.orgId = r.otherOrg.id;
    },
  },
  project_delete: {
    weight: 3,
    run: (tx, op, _r, m) => {
      const project = projectOf(m, op);
      return project ? tx`delete from public.projects where id = ${project.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const project = projectOf(m, op)!;
      const sees = m.can(r.caller, "data:write", project.orgId) && m.can(r.caller, "data:read", project.orgId);
      return tableWrite(r.caller, sees ? 1 : 0, sees ? "data:write" : "the row is hidden");
    },
    apply: (m, op, _r, o) => {
      if (o.rows === 1) m.projects.delete(projectOf(m, op)!.id);
    },
  },
  session_insert: {
    weight: 6,
    run: async (tx, _op, r) => {
      const result = await tx`insert into public.research_sessions (user_id, title) values (${r.user.id}, 'fuzz') returning id`;
      return { rows: result.count, result: result[0] ?? null };
    },
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || actor.id !== r.user.id) return refused("a session belongs to whoever creates it");
      if (!m.scopeAllows(r.caller, "data:write") || !m.scopeAllows(r.caller, "data:read")) return refused("the token lacks data:write");
      return allowed("own session", 1);
    },
    apply: (m, _op, r, o) => void m.sessions.set(String(o.result!.id), { id: String(o.result!.id), ownerId: r.user.id, title: "" }),
  },
  session_rename: {
    weight: 4,
    run: (tx, op, _r, m) => {
      const session = sessionOf(m, op);
      return session ? tx`update public.research_sessions set title = ${"t" + op.b} where id = ${session.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const own = m.actor(r.caller)?.id === sessionOf(m, op)!.ownerId && m.scopeAllows(r.caller, "data:write") && m.scopeAllows(r.caller, "data:read");
      return tableWrite(r.caller, own ? 1 : 0, own ? "own session" : "someone else's session is hidden");
    },
    apply: () => {},
  },
  session_delete: {
    weight: 2,
    run: (tx, op, _r, m) => {
      const session = sessionOf(m, op);
      return session ? tx`delete from public.research_sessions where id = ${session.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const session = sessionOf(m, op)!;
      const own = m.actor(r.caller)?.id === session.ownerId && m.scopeAllows(r.caller, "data:write") && m.scopeAllows(r.caller, "data:read");
      return tableWrite(r.caller, own ? 1 : 0, own ? "own session" : "someone else's session is hidden");
    },
    apply: (m, op, _r, o) => {
      if (o.rows !== 1) return;
      const session = sessionOf(m, op)!;
      m.sessions.delete(session.id);
      for (const [id, file] of m.files) if (file.sessionId === session.id) m.files.delete(id);
    },
  },
  file_insert: {
    weight: 5,
    run: (tx, op, r, m) => {
      const session = sessionOf(m, op);
      return session
        ? tx`insert into public.draft_files (session_id, user_id, name) values (${session.id}, ${r.user.id}, 'f') returning id`.then((x) => ({ rows: x.count, result: x[0] ?? null }))
        : null;
    },
    expect: (m, op, r) => {
      const session = sessionOf(m, op)!;
      const actor = m.actor(r.caller);
      if (!actor || actor.id !== r.user.id) return refused("a file belongs to whoever creates it");
      if (session.ownerId !== actor.id) return refused("a file goes into one's own session only");
      if (!m.scopeAllows(r.caller, "data:write") || !m.scopeAllows(r.caller, "data:read")) return refused("the token lacks data:write");
      return allowed("own file in own session", 1);
    },
    apply: (m, op, r, o) => void m.files.set(String(o.result!.id), { id: String(o.result!.id), sessionId: sessionOf(m, op)!.id, ownerId: r.user.id }),
  },
  file_delete: {
    weight: 2,
    run: (tx, op, _r, m) => {
      const file = fileOf(m, op);
      return file ? tx`delete from public.draft_files where id = ${file.id}`.then((x) => ({ rows: x.count, result: null })) : null;
    },
    expect: (m, op, r) => {
      const own = m.actor(r.caller)?.id === fileOf(m, op)!.ownerId && m.scopeAllows(r.caller, "data:write") && m.scopeAllows(r.caller, "data:read");
      return tableWrite(r.caller, own ? 1 : 0, own ? "own file" : "someone else's file is hidden");
    },
    apply: (m, op, _r, o) => {
      if (o.rows === 1) m.files.delete(fileOf(m, op)!.id);
    },
  },
  profile_rename: {
    weight: 4,
    run: (tx, op, r) => tx`update public.profiles set display_name = ${"Name " + op.b} where id = ${r.user.id}`.then((x) => ({ rows: x.count, result: null })),
    expect: (m, _op, r) => {
      const own = m.actor(r.caller)?.id === r.user.id && m.scopeAllows(r.caller, "profile:write");
      return tableWrite(r.caller, own ? 1 : 0, own ? "own profile" : "only one's own profile can be edited");
    },
    apply: () => {},
  },
  create_organization: {
    rpc: true,
    http: () => ({ method: "POST", path: "me/organizations", body: { name: `Fuzz org ${randomUUID().slice(0, 12)}` } }),
    weight: 2,
    run: (tx) => rpc(tx`select public.create_organization(${`Fuzz org ${randomUUID().slice(0, 12)}`}) as r`),
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.canSelf(r.caller, "orgs:create")) return refused("creating an organization needs an active caller with orgs:create");
      if (!under(m.limits.orgsPerUser, m.orgsCreatedBy(actor.id))) return refused("orgs_per_user is used up");
      return allowed("orgs:create");
    },
    apply: (m, _op, r, o) => {
      const id = String((o.result as { id: string }).id);
      const actor = m.actor(r.caller)!;
      m.orgs.push({ key: m.orgs.length, id, personal: false, isDefault: false, createdBy: actor.id, members: new Map([[actor.id, "owner"]]) });
    },
  },
  create_invitation: {
    rpc: true,
    http: (op, r) => ({ method: "POST", path: `admin/orgs/${r.org.id}/invitations`, body: { email: r.user.email, role: op.role } }),
    weight: 5,
    run: (tx, op, r) => rpc(tx`select public.create_invitation(${r.org.id}, ${r.user.email}, ${op.role}) as r`),
    expect: (m, op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.can(r.caller, "members:manage", r.org.id)) return refused("no members:manage in the organization");
      if (orgRank[op.role as OrgRole] > m.rankIn(actor, r.org.id)) return refused("the role ranks above the inviter's own");
      if (m.invitations.some((i) => i.state === "pending" && i.orgId === r.org.id && i.email === r.user.email.toLowerCase())) {
        return refused("a pending invitation exists");
      }
      return allowed("members:manage");
    },
    apply: (m, op, r, o) => {
      const result = o.result as { id: string; token: string };
      m.invitations.push({ id: result.id, orgId: r.org.id, email: r.user.email.toLowerCase(), role: op.role as OrgRole, token: result.token, invitedBy: m.actor(r.caller)!.id, state: "pending" });
    },
  },
  accept_invitation: {
    rpc: true,
    http: (op, _r, m) => { const i = invitationOf(m, op); return i ? { method: "POST", path: "me/invitations/accept", body: { token: i.token } } : null; },
    weight: 4,
    run: (tx, op, _r, m) => {
      const invitation = invitationOf(m, op);
      return invitation ? rpc(tx`select public.accept_invitation(${invitation.token}) as r`) : null;
    },
    expect: (m, op, r) => {
      const invitation = invitationOf(m, op)!;
      const actor = m.actor(r.caller);
      if (!actor || !m.canSelf(r.caller, "orgs:join")) return refused("accepting needs an active caller with orgs:join");
      if (invitation.state !== "pending") return refused("the invitation was used or revoked");
      if (!actor.emailVerified || actor.email.toLowerCase() !== invitation.email) return refused("the invitation is for another verified email");
      const org = m.orgById(invitation.orgId)!;
      if (!mayInvite(m, m.userById(invitation.invitedBy), org, invitation.role)) return refused("the inviter may no longer invite with this role (revokes it)");
      if (org.members.has(actor.id)) return refused("already a member");
      return allowed("the invitee");
    },
    apply: (m, op, r, o) => {
      const invitation = invitationOf(m, op)!;
      if (o.ok) {
        invitation.state = "accepted";
        m.orgById(invitation.orgId)!.members.set(m.actor(r.caller)!.id, invitation.role);
      }
    },
  },
  change_member_role: {
    rpc: true,
    http: (op, r) => ({ method: "PATCH", path: `admin/orgs/${r.org.id}/members/${r.user.id}`, body: { role: op.role } }),
    weight: 6,
    run: (tx, op, r) => rpc(tx`select public.change_member_role(${r.org.id}, ${r.user.id}, ${op.role}) as r`),
    expect: (m, op, r) => {
      const actor = m.actor(r.caller);
      const current = r.org.members.get(r.user.id);
      if (!actor || !m.can(r.caller, "members:manage", r.org.id)) return refused("no members:manage in the organization");
      if (!current) return refused("not a member");
      if (actor.id === r.user.id) return refused("nobody changes their own role");
      const rank = m.rankIn(actor, r.org.id);
      if (orgRank[current] > rank || orgRank[op.role as OrgRole] > rank) return refused("a role above the caller's own");
      if (current === "owner" && op.role !== "owner" && m.owners(r.org) === 1) return refused("the last owner");
      return allowed("members:manage over a lower role");
    },
    apply: (_m, op, r, o) => {
      if (o.ok) r.org.members.set(r.user.id, op.role as OrgRole);
    },
  },
  remove_member: {
    rpc: true,
    http: (_op, r) => ({ method: "DELETE", path: `admin/orgs/${r.org.id}/members/${r.user.id}` }),
    weight: 3,
    run: (tx, _op, r) => rpc(tx`select public.remove_member(${r.org.id}, ${r.user.id}) as r`),
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      const current = r.org.members.get(r.user.id);
      // Removing oneself is leaving: no members:manage needed, though a token still needs the RPC's scope.
      const leaving = !!actor && actor.id === r.user.id && m.scopeAllows(r.caller, "members:manage");
      if (!actor || (!leaving && !m.can(r.caller, "members:manage", r.org.id))) return refused("no members:manage in the organization");
      if (!current) return refused("not a member");
      if (!leaving && orgRank[current] > m.rankIn(actor, r.org.id)) return refused("a role above the caller's own");
      if (current === "owner" && m.owners(r.org) === 1) return refused("the last owner");
      return allowed(leaving ? "leaving" : "members:manage over a lower role");
    },
    apply: (_m, _op, r, o) => {
      if (o.ok) r.org.members.delete(r.user.id);
    },
  },
  leave_organization: {
    rpc: true,
    http: (_op, r) => ({ method: "DELETE", path: `me/organizations/${r.org.id}` }),
    weight: 2,
    run: (tx, _op, r) => rpc(tx`select public.leave_organization(${r.org.id}) as r`),
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.canSelf(r.caller, "orgs:join")) return refused("leaving needs an active caller with orgs:join");
      const current = r.org.members.get(actor.id);
      if (!current) return refused("not a member");
      if (current === "owner" && m.owners(r.org) === 1) return refused("the last owner");
      return allowed("a member leaving");
    },
    apply: (m, _op, r, o) => {
      if (o.ok) r.org.members.delete(m.actor(r.caller)!.id);
    },
  },
  grant_platform_role: {
    rpc: true,
    weight: 2,
    run: (tx, op, r) => rpc(tx`select public.grant_platform_role(${r.user.id}, ${op.role}) as r`),
    expect: (m, _op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.hasPlatform(r.caller, "users:admin")) return refused("granting platform roles needs users:admin");
      if (actor.id === r.user.id) return refused("nobody changes their own role");
      return allowed("users:admin (granting a role already held changes nothing)");
    },
    apply: (_m, op, r, o) => {
      if (o.ok) r.user.platformRoles.add(op.role as PlatformRole);
    },
  },
  revoke_platform_role: {
    rpc: true,
    weight: 2,
    run: (tx, op, r) => rpc(tx`select public.revoke_platform_role(${r.user.id}, ${op.role}) as r`),
    expect: (m, op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.hasPlatform(r.caller, "users:admin")) return refused("revoking platform roles needs users:admin");
      if (actor.id === r.user.id) return refused("nobody changes their own role");
      if (!r.user.platformRoles.has(op.role as PlatformRole)) return refused("not held");
      return allowed("users:admin");
    },
    apply: (_m, op, r, o) => {
      if (o.ok) r.user.platformRoles.delete(op.role as PlatformRole);
    },
  },
  set_user_disabled: {
    rpc: true,
    weight: 2,
    run: (tx, op, r) => rpc(tx`select public.set_user_disabled(${r.user.id}, ${op.flag}) as r`),
    expect: (m, op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.hasPlatform(r.caller, "users:admin")) return refused("disabling users needs users:admin");
      if (actor.id === r.user.id && op.flag) return refused("nobody disables themselves");
      return allowed("users:admin");
    },
    apply: (_m, op, r, o) => {
      if (o.ok) r.user.disabled = op.flag;
    },
  },
  create_token: {
    rpc: true,
    http: (op) => ({ method: "POST", path: "me/tokens", body: { name: `fuzz ${op.b}`, scopes: op.scopes, expires_in_days: 1 } }),
    weight: 2,
    run: (tx, op) => rpc(tx`select public.create_personal_access_token(${"fuzz " + op.b}, ${op.scopes}::text[], 1) as r`),
    expect: (m, op, r) => {
      const actor = m.actor(r.caller);
      if (!actor || !m.canSelf(r.caller, "tokens:manage")) return refused("creating a token needs tokens:manage");
      if (op.scopes.length === 0) return refused("a token needs a scope");
      const held = m.heldPermissions(actor);
      if (op.scopes.some((s) => !held.has(s))) return refused("a scope the user does not hold");
      const caller = r.caller;
      if (caller.kind === "token" && op.scopes.some((s) => !caller.token.scopes.includes(s))) return refused("a token never mints wider scopes");
      if (!under(m.limits.tokensPerUser, m.activeTokens(actor.id))) return refused("tokens_per_user is used up");
      return allowed("tokens:manage");
    },
    apply: (m, op, r, o) => {
      const result = o.result as { id: string; token: string };
      const parentId = r.caller.kind === "token" ? r.caller.token.id : null;
      m.tokens.push({ id: String(result.id), userId: m.actor(r.caller)!.id, scopes: [...op.scopes].sort(), revoked: false, parentId, secret: String((result as { token?: string }).token) });
    },
  },
  revoke_token: {
    rpc: true,
    http: (op, _r, m) => { const t = tokenOf(m, op); return t ? { method: "DELETE", path: `me/tokens/${t.id}` } : null; },
    weight: 2,
    run: (tx, op, _r, m) => {
      const token = tokenOf(m, op);
      return token ? rpc(tx`select public.revoke_personal_access_token(${token.id}) as r`) : null;
    },
    expect: (m, op, r) => {
      const token = tokenOf(m, op)!;
      const actor = m.actor(r.caller);
      if (!actor || !m.canSelf(r.caller, "tokens:manage")) return refused("revoking needs tokens:manage");
      if (token.userId !== actor.id && !m.hasPlatform(r.caller, "users:admin")) return refused("another user's token");
      if (token.revoked) return refused("already revoked");
      return allowed("own token, or users:admin");
    },
    apply: (m, op, _r, o) => {
      if (o.ok) tokenOf(m, op)!.revoked = true;
    },
  },
};

export type OperationKind = keyof typeof definitions;
const kinds = Object.keys(definitions);
const totalWeight = kinds.reduce((n, k) => n + definitions[k].weight, 0);

/** The share of operations sent through the edge functions when the HTTP path is on (each costs milliseconds). */
let httpShare = 0;
export function sendThroughFunctions(share: number): void {
  httpShare = share;
}

export function generate(random: Random): Operation {
  let roll = random.int(totalWeight);
  let kind = kinds[0];
  for (const k of kinds) {
    roll -= definitions[k].weight;
    if (roll < 0) {
      kind = k;
      break;
    }
  }
  const who = random.next();
  const n = random.int(1 << 20);
  const caller: CallerRef =
    who < 0.04 ? { kind: "anon" }
    : who < 0.07 ? { kind: "no_profile" }
    : who < 0.1 ? { kind: "foreign_issuer" }
    : who < 0.22 ? { kind: "token", n }
    : who < 0.6 ? { kind: kind === "accept_invitation" ? "invitee" : "member", n }
    : { kind: "user", n };
  const platform = kind === "grant_platform_role" || kind === "revoke_platform_role";
  return {
    kind,
    caller,
    a: random.int(1 << 20),
    b: random.int(1 << 20),
    role: platform ? random.pick(platformRoles) : random.pick(orgRoles),
    flag: random.chance(0.4),
    scopes: random.subset(allPermissions, 0.3),
    http: random.chance(httpShare),
  };
}

function resolveCaller(world: World, op: Operation, org: Org): Caller {
  const m = world.model;
  const ref = op.caller;
  const user = (n: number): Caller => ({ kind: "user", user: m.users[n % m.users.length] });
  switch (ref.kind) {
    case "anon":
      return { kind: "anon" };
    case "no_profile":
      return { kind: "no_profile", sub: world.noProfileSub };
    case "foreign_issuer":
      return { kind: "foreign_issuer", user: m.users[op.b % m.users.length] };
    case "user":
      return user(ref.n);
    case "token": {
      // A personal access token reaches the database only through the edge functions,
      // which call RPCs with its claims; a statement on a table comes with a JWT.
      if (!definitions[op.kind].rpc) return user(ref.n);
      const token = pickFrom(m.tokens.filter((t) => m.tokenWorks(t)), ref.n);
      return token ? { kind: "token", user: m.userById(token.userId)!, token } : user(ref.n);
    }
    case "member": {
      const memberId = pickFrom([...org.members.keys()], ref.n);
      return memberId ? { kind: "user", user: m.userById(memberId) ?? m.users[0] } : user(ref.n);
    }
    case "invitee": {
      const invitation = invitationOf(m, op);
      const invitee = invitation && m.users.find((u) => u.email.toLowerCase() === invitation.email);
      return invitee ? { kind: "user", user: invitee } : user(ref.n);
    }
  }
}

/** Most operations are about organizations several users share, and target one of their members, so the rank and last-owner rules are reached. */
const shared = (n: number) => (n >>> 16) % 10 < 7;

function resolve(world: World, op: Operation): Resolved {
  const m = world.model;
  const orgs = m.orgs;
  const teams = orgs.filter((o) => o.members.size > 1);
  // The organization an operation is about: a project's own for project operations, so its members act.
  const project = op.kind.startsWith("project_") && op.kind !== "project_insert" ? projectOf(m, op) : undefined;
  const org = project ? m.orgById(project.orgId)! : shared(op.a) && teams.length ? teams[op.a % teams.length] : orgs[op.a % orgs.length];
  const caller = resolveCaller(world, op, org);
  const members = [...org.members.keys()];
  let user = shared(op.b) && members.length ? m.userById(members[op.b % members.length])! : m.users[op.b % m.users.length];
  // Rows of one's own, mostly: a session or file written for oneself reaches the data rules.
  if ((op.kind === "session_insert" || op.kind === "file_insert") && shared(op.b) && (caller.kind === "user" || caller.kind === "token")) user = caller.user;
  return { caller, org, otherOrg: orgs[op.b % orgs.length], user };
}

/** HTTP answers that are refusals (README: Error format); a 400 or a 5xx is a failure. */
const refusalStatuses = new Set([401, 403, 404, 409, 422]);
/** SQLSTATEs that refuse: privilege or RLS (42501), integrity (class 23), an argument refused (22023), the rules' own (55000, P0001, P0002) and PostgREST's HTTP ones (PT4xx: a quota's 403). */
function refusalSqlstate(code: string | undefined): boolean {
  return !!code && (code === "42501" || code.startsWith("23") || code === "22023" || code.startsWith("PT4") || code === "55000" || code === "P0001" || code === "P0002");
}

export interface Step {
  op: Operation;
  executed: boolean;
  /** It went through the edge functions. */
  overHttp?: boolean;
  mismatch?: string;
}

/** Runs one operation as its caller and compares what happened with what the model requires. */
export async function runOperation(sql: postgres.Sql, world: World, op: Operation): Promise<Step> {
  world.model.memo.clear();
  const definition = definitions[op.kind];
  const r = resolve(world, op);
  const request = op.http && world.http && definition.http ? definition.http(op, r, world.model) : null;
  const overHttp = request && !(("user" in r.caller) && r.caller.user.kind === "third_party");
  let outcome: Outcome;
  if (overHttp) {
    const bearer = await world.http!.bearer(r.caller);
    const res = await fetch(`${world.http!.url}/functions/v1/${request.path}`, {
      method: request.method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(request.body ? { "content-type": "application/json" } : {}) },
      body: request.body ? JSON.stringify(request.body) : undefined,
    });
    const text = await res.text();
    let body: Record<string, unknown> | null = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok && !refusalStatuses.has(res.status)) {
      return { op, executed: true, mismatch: `${request.method} /${request.path} by ${describeCaller(r.caller)} answered ${res.status}, which is no refusal: ${text.slice(0, 300)}` };
    }
    outcome = res.ok
      ? { ok: true, rows: 1, result: body, detail: `HTTP ${res.status}` }
      : { ok: false, rows: 0, result: body, detail: `HTTP ${request.method} /${request.path} ${res.status} ${text.slice(0, 200)}` };
  } else {
    let ran: Promise<{ rows: number; result: Record<string, unknown> | null }> | null = null;
    try {
      const result = await withIdentity(sql, world.identity(r.caller), async (tx) => {
        ran = definition.run(tx, op, r, world.model);
        return ran ? await ran : null;
      }, { method: "POST", path: `/rest/v1/rpc/${op.kind}` });
      if (!ran) return { op, executed: false };
      const error = (result?.result as { error?: { code: string; message: string } } | null)?.error;
      outcome = error
        ? { ok: false, rows: 0, result: result!.result, detail: `${error.code}: ${error.message}` }
        : { ok: true, rows: result!.rows, result: result!.result, detail: `ok, ${result!.rows} row(s)` };
    } catch (error) {
      if (!ran) throw error;
      const e = error as { code?: string; message?: string };
      // A refusal is a permission, constraint or rule error; anything else (a lost connection,
      // a timeout, a bad statement) is a failure, never an expected refusal.
      if (!refusalSqlstate(e.code)) return { op, executed: true, mismatch: `${op.kind} by ${describeCaller(r.caller)} failed with ${e.code}: ${e.message}, which is no refusal` };
      outcome = { ok: false, code: e.code, rows: 0, result: null, detail: `${e.code ?? "error"}: ${e.message}` };
    }
  }
  const expected = definition.expect(world.model, op, r);
  const agrees = expected.denied
    ? (!outcome.ok && outcome.code === "42501") || (outcome.ok && outcome.rows === 0)
    : expected.ok === outcome.ok && (!expected.ok || expected.rows === undefined || expected.rows === outcome.rows);
  if (!agrees) {
    const want = expected.denied ? "a privilege or RLS refusal (42501), or no row touched" : expected.ok ? `success${expected.rows === undefined ? "" : ` touching ${expected.rows} row(s)`}` : "refusal";
    return {
      op,
      executed: true,
      mismatch: `${op.kind}${overHttp ? " over HTTP" : ""} by ${describeCaller(r.caller)} (${r.caller.kind === "user" || r.caller.kind === "token" ? r.org.members.get(r.caller.user.id) ?? "no role" : "-"} in organization ${r.org.key}${r.org.personal ? ", personal" : ""}; target user ${r.user.key}: ${r.org.members.get(r.user.id) ?? "no role"}): the model requires ${want} (${expected.why}); the database answered ${outcome.detail}`,
    };
  }
  const wrong = outcome.ok && definition.verify?.(world.model, r, outcome.result ?? {});
  if (wrong) return { op, executed: true, mismatch: `${op.kind} by ${describeCaller(r.caller)}${overHttp ? " over HTTP" : ""}: ${wrong}` };
  // An inviter who may no longer invite: the refusal revokes the invitation (README).
  if (op.kind === "accept_invitation" && !outcome.ok && expected.why.includes("revokes it")) invitationOf(world.model, op)!.state = "revoked";
  if (outcome.ok) definition.apply(world.model, op, r, outcome);
  for (const org of world.model.orgs) world.ids.orgs.add(org.id);
  return { op, executed: true, overHttp: !!overHttp };
}

export function describeOperation(op: Operation): string {
  const c = op.caller;
  const ref = "n" in c ? `${c.kind} #${c.n}` : c.kind;
  return `${op.kind}${op.http ? " (HTTP)" : ""} caller=${ref} a=${op.a} b=${op.b} role=${op.role} flag=${op.flag} scopes=[${op.scopes.join(",")}]`;
}
