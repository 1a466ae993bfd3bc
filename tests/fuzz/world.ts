// A world for the fuzzer: users signed up the way Supabase Auth signs them up (a row in
// auth.users, so the provisioning trigger runs), users of a registered third-party issuer
// provisioned just in time by the function path, shared organizations with members of
// every role, platform roles, data rows and personal access tokens. Everything is made
// with fresh ids, so several worlds (a run and its shrinking replays) share one database;
// the model learns what provisioning made and checks it is what the README promises.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { withIdentity, type DbIdentity } from "../../functions/_shared/db.ts";
import { Model, orgRoles, type Caller, type Limits, type Org, type User } from "./model.ts";
import type { Random } from "./random.ts";
import type { WorldIds } from "./visibility.ts";
import { signInAll, type HttpPath } from "./http.ts";

export interface World {
  model: Model;
  ids: WorldIds;
  authIssuer: string;
  thirdPartyIssuer: string;
  /** The subject of a Supabase Auth token that names no profile. */
  noProfileSub: string;
  /** Callers the batch checks look through: every user, their tokens, and the callers who are nobody. */
  callers(): Caller[];
  identity(caller: Caller): DbIdentity;
  /** The edge functions, when this run sends operations through them. */
  http?: HttpPath;
}

const foreignIssuer = "https://unregistered-issuer.example";

export async function buildWorld(sql: postgres.Sql, random: Random, http?: HttpPath): Promise<World> {
  const tag = `${random.word(6)}${Date.now().toString(36)}`;
  const [{ issuer }] = await sql<{ issuer: string | null }[]>`select (select s.auth_issuers[1] from private.settings s) as issuer`;
  if (!issuer) throw new Error("private.settings.auth_issuers is empty: the fuzzer signs users in as this project's Supabase Auth");
  const thirdPartyIssuer = `https://fuzz-${tag}.clerk.test`;
  await sql`insert into private.identity_providers (issuer, name, kind, jwks_url) values (${thirdPartyIssuer}, ${`fuzz ${tag}`}, 'clerk', ${`${thirdPartyIssuer}/.well-known/jwks.json`})`;
  const limits = await readLimits(sql);
  const model = new Model(limits);
  const ids: WorldIds = { users: new Set(), orgs: new Set(), auditSince: 0n };
  const [{ last }] = await sql<{ last: string }[]>`select coalesce(max(id), 0)::text as last from public.audit_events`;
  ids.auditSince = BigInt(last);

  const noProfileSub = randomUUID();
  const world: World = {
    model,
    noProfileSub,
    ids,
    authIssuer: issuer,
    thirdPartyIssuer,
    callers: () => [
      { kind: "anon" },
      { kind: "no_profile", sub: noProfileSub },
      { kind: "foreign_issuer", user: model.users[0] },
      ...model.users.map((user) => ({ kind: "user", user }) as Caller),
      // A token the edge functions refuse (revoked, or minted with one that is) reaches no SQL.
      ...model.tokens.filter((t) => model.tokenWorks(t)).map((token) => ({ kind: "token", user: model.userById(token.userId)!, token }) as Caller),
    ],
    identity: (caller) => identityOf(world, caller),
    http,
  };
  // Supabase Auth users, one with an unconfirmed email; then users of a third-party issuer.
  for (let i = 0; i < 7; i++) {
    const id = randomUUID();
    const email = `fuzz-${tag}-${i}@example.test`;
    const confirmed = i !== 6;
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                              confirmation_token, recovery_token, email_change_token_new, email_change, email_confirmed_at, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email}, '',
              '{"provider":"email","providers":["email"]}', '{}', '', '', '', '', ${confirmed ? sql`now()` : null}, now(), now())`;
    model.users.push({ key: i, id, kind: "supabase", sub: id, email, emailVerified: confirmed, disabled: false, platformRoles: new Set(), displayName: "" });
  }
  for (let i = 7; i < 9; i++) {
    const sub = `user_${tag}${i}`;
    const email = `fuzz-${tag}-${i}@idp.example.test`;
    const claims = { iss: thirdPartyIssuer, sub, aud: "authenticated", email };
    await withIdentity(sql, { role: "authenticated", claims, provision: true }, async () => undefined, { method: "GET", path: "/fuzz" });
    const [found] = await sql<{ id: string }[]>`
      select i.profile_id as id from private.caller_identities i where not i.supabase and i.issuer = ${thirdPartyIssuer} and i.subject = ${sub}`;
    if (!found) throw new Error(`the first request of third-party user ${sub} provisioned no profile`);
    const id = found.id;
    // Third-party emails are the provider's word, not a verified address this project checked.
    model.users.push({ key: i, id, kind: "third_party", sub, email, emailVerified: false, disabled: false, platformRoles: new Set(), displayName: "" });
  }
  for (const user of model.users) ids.users.add(user.id);
  await learnProvisioned(sql, model, ids);

  // Shared organizations, made by the operator with members of every role.
  for (let k = 0; k < 3; k++) {
    const owner = model.users[k + 3];
    const [org] = await sql<{ id: string }[]>`
      insert into public.organizations (slug, name, created_by) values (${`fuzz-${tag}-${k}`}, ${`Fuzz ${tag} ${k}`}, ${owner.id}) returning id`;
    const members = new Map([[owner.id, "owner" as const]]) as Org["members"];
    for (const user of model.users) {
      if (user === owner || !random.chance(0.6)) continue;
      members.set(user.id, random.pick(orgRoles));
    }
    for (const [userId, role] of members) {
      await sql`insert into public.memberships (organization_id, user_id, role) values (${org.id}, ${userId}, ${role})`;
    }
    model.orgs.push({ key: model.orgs.length, id: org.id, personal: false, isDefault: false, createdBy: owner.id, members });
    ids.orgs.add(org.id);
  }
  // Platform roles: an admin, an auditor and a reader.
  const platform: [number, "admin" | "auditor" | "reader"][] = [[0, "admin"], [1, "auditor"], [2, "reader"]];
  for (const [k, role] of platform) {
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${model.users[k].id}, ${role}, 'admin')`;
    model.users[k].platformRoles.add(role);
  }
  // Personal access tokens with some of what their users hold.
  for (const user of model.users.slice(3, 6)) {
    const held = [...model.heldPermissions(user)].sort();
    const scopes = random.subset(held, 0.5);
    if (scopes.length === 0) scopes.push(held[0]);
    const [{ r }] = await withIdentity(sql, identityOf(world, { kind: "user", user }), (tx) =>
      tx<{ r: { id?: string; token?: string; error?: unknown } }[]>`select public.create_personal_access_token('fuzz', ${scopes}::text[], 1) as r`);
    if (!r.id) throw new Error(`user ${user.key} could not create a token with ${scopes.join(" ")}: ${JSON.stringify(r)}`);
    model.tokens.push({ id: r.id, userId: user.id, scopes, revoked: false, parentId: null, secret: r.token! });
  }
  if (http) await signInAll(http, model.users);
  await sql`insert into public.role_overrides (user_id, preserved, suppressed) values (${model.users[4].id}, '{}', '{auditor}')`;
  return world;
}

async function readLimits(sql: postgres.Sql): Promise<Limits> {
  const rows = await sql<{ resource: string; maximum: number | null }[]>`
    select l.limit_name as resource, l.max_value as maximum from public.plan_limits l where l.plan = 'free'`;
  const limit = (name: string) => rows.find((r) => r.resource === name)?.maximum ?? null;
  return {
    projectsPerOrg: limit("projects_per_org"),
    orgsPerUser: limit("orgs_per_user"),
    tokensPerUser: limit("tokens_per_user"),
  };
}

/**
 * What signing up made: the README promises each Supabase Auth user a personal organization
 * they own, with its starter project; a third-party user whose token names no tenant joins
 * no organization.
 */
async function learnProvisioned(sql: postgres.Sql, model: Model, ids: WorldIds): Promise<void> {
  const userIds = model.users.map((u) => u.id);
  const orgs = await sql<{ id: string; is_personal: boolean; is_default: boolean; created_by: string | null }[]>`
    select o.id, o.is_personal, o.is_default, o.created_by from public.organizations o
    where o.id in (select m.organization_id from public.memberships m where m.user_id = any (${userIds}::uuid[]))
    order by o.id`;
  for (const row of orgs) {
    // In the model's user order (ids are random): a replay resolves "the n-th member" alike.
    const members = (await sql<{ user_id: string; role: string }[]>`select user_id, role from public.memberships where organization_id = ${row.id}`)
      .sort((a, b) => userIds.indexOf(a.user_id) - userIds.indexOf(b.user_id));
    if (row.is_default) throw new Error("a default organization is configured: the fuzzer's model has no rules for it yet");
    model.orgs.push({
      key: model.orgs.length,
      id: row.id,
      personal: row.is_personal,
      isDefault: row.is_default,
      createdBy: row.created_by,
      members: new Map(members.map((m) => [m.user_id, m.role as never])),
    });
    ids.orgs.add(row.id);
  }
  for (const user of model.users) {
    const personal = model.orgs.filter((o) => o.personal && o.members.get(user.id) === "owner");
    const promised = user.kind === "supabase" ? 1 : 0;
    if (personal.length !== promised) throw new Error(`user ${user.key} (${user.kind}) has ${personal.length} personal organizations after signing up, not ${promised}`);
  }
  const projects = await sql<{ id: string; organization_id: string; is_starter: boolean }[]>`
    select id, organization_id, is_starter from public.projects where organization_id = any (${[...ids.orgs]}::uuid[]) order by id`;
  for (const p of projects) model.projects.set(p.id, { id: p.id, orgId: p.organization_id, isStarter: p.is_starter });
}

function identityOf(world: World, caller: Caller): DbIdentity {
  const supabase = (sub: string, iss = world.authIssuer) => ({ sub, iss, aud: "authenticated", role: "authenticated" });
  const userClaims = (user: User) => (user.kind === "supabase" ? supabase(user.sub) : supabase(user.sub, world.thirdPartyIssuer));
  switch (caller.kind) {
    case "anon":
      return { role: "anon", claims: { role: "anon" } };
    case "no_profile":
      return { role: "authenticated", claims: supabase(caller.sub) };
    case "foreign_issuer":
      return { role: "authenticated", claims: supabase(caller.user.id, foreignIssuer) };
    case "user":
      return { role: "authenticated", claims: userClaims(caller.user) };
    case "token":
      // What an edge function sets for a request made with this personal access token.
      return { role: "authenticated", claims: { ...userClaims(caller.user), pat_id: caller.token.id, pat_scopes: caller.token.scopes } };
  }
}

/** A short description for failure reports. */
export function describeCaller(caller: Caller): string {
  switch (caller.kind) {
    case "anon":
    case "no_profile":
      return caller.kind;
    case "foreign_issuer":
      return `foreign issuer naming user ${caller.user.key}`;
    case "user":
      return `user ${caller.user.key}${caller.user.disabled ? " (disabled)" : ""}${[...caller.user.platformRoles].map((r) => ` platform ${r}`).join("")}`;
    case "token":
      return `token of user ${caller.user.key} [${caller.token.scopes.join(" ")}]`;
  }
}
