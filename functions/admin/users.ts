// /admin/users (SPEC F14): list and search, one user in full, create or invite, edit,
// disable and enable, delete, platform roles. users:admin is checked by the SQL
// functions, which also audit; Supabase Auth's admin API is called only after them.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { decodeCursor, encodeCursor } from "../_shared/cursor.ts";
import type { Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, JsonObject, Name, NextCursor, NullableTimestamp, PageQuery, SearchTerm, Timestamp, Uuid } from "../_shared/schemas.ts";
import { authAdmin, authFailure, PERMANENT_BAN } from "../_shared/supabase-auth.ts";
import { AuditEvent } from "./audit.ts";
import { profileColumns } from "../_shared/profiles.ts";

const Status = z.enum(["active", "disabled", "unprovisioned"]);
const PlatformRole = z.object({ role: z.string(), source: z.string(), granted_by: Uuid.nullable(), created_at: Timestamp }).meta({ id: "PlatformRoleAssignment" });

const UserRow = z
  .object({
    id: Uuid,
    email: z.string().nullable(),
    display_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    provider: z.string().meta({ description: "supabase, or the issuer of a third-party identity provider" }),
    platform_roles: z.array(PlatformRole),
    organization_count: z.number().int(),
    last_login_at: NullableTimestamp,
    status: Status,
    created_at: NullableTimestamp,
  })
  .meta({ id: "UserRow" });

const UserPage = z.object({ users: z.array(UserRow), next_cursor: NextCursor }).meta({ id: "UserPage" });

const ListQuery = z.strictObject({
  q: SearchTerm.optional().meta({ description: "substring of the email or display name, case-insensitive" }),
  role: Name.optional().meta({ description: "holds this platform role" }),
  org: Uuid.optional().meta({ description: "member of this organization" }),
  status: Status.optional(),
  provider: z.string().min(1).max(512).optional().meta({ description: "supabase, or an identity provider's issuer" }),
  ...PageQuery,
});

// The parts of one user in full, as private.admin_get_user builds them
// (supabase/migrations/20261202000210_admin_users.sql).
const UserProfile = z
  .object({
    ...profileColumns,
    auth_user_id: Uuid.nullable().meta({ description: "the Supabase Auth user (null for third-party users)" }),
    provisioned_at: NullableTimestamp,
  })
  .meta({ id: "UserProfile", description: "the user's row of public.profiles" });

const AuthRecord = z
  .object({
    id: Uuid,
    email: z.string().nullable(),
    email_confirmed_at: NullableTimestamp,
    invited_at: NullableTimestamp,
    last_sign_in_at: NullableTimestamp,
    banned_until: NullableTimestamp,
    created_at: NullableTimestamp,
  })
  .meta({ id: "AuthUserRecord", description: "the Supabase Auth record" });

const QuotaLimit = z.object({ max: z.int().nullable().meta({ description: "null: unlimited" }), used: z.int() });
const QuotaUsage = z
  .object({ plan: z.string(), orgs_per_user: QuotaLimit, tokens_per_user: QuotaLimit })
  .meta({ id: "UserQuotaUsage", description: "the user's plan and its per-user limits with their use" });

const UserAuditEvent = AuditEvent.omit({ hash: true }).meta({ id: "UserAuditEvent", description: "an audit event as GET /admin/audit lists it, without its hash-chain link" });

const ProvisioningFailure = z
  .object({ sqlstate: z.string().nullable(), error: z.string().nullable(), attempts: z.int(), first_failed_at: Timestamp, last_failed_at: Timestamp })
  .meta({ id: "ProvisioningFailure", description: "the last failed attempt to provision the user at sign-in" });

const UserDetail = z
  .object({
    profile: z.union([UserProfile, z.null()]),
    status: Status,
    auth: z.union([AuthRecord, z.null()]).meta({ description: "the Supabase Auth record (null for third-party users)" }),
    memberships: z.array(z.object({ organization_id: Uuid, slug: z.string(), name: z.string(), role: z.string(), is_personal: z.boolean(), is_default: z.boolean(), since: Timestamp })),
    platform_roles: z.array(PlatformRole),
    role_overrides: JsonObject.nullable(),
    tokens: z.array(JsonObject).meta({ description: "personal access tokens, metadata only" }),
    quota_usage: z.union([QuotaUsage, z.null()]).meta({ description: "null until the user has a profile" }),
    recent_audit_events: z.array(UserAuditEvent).meta({ description: "the last 20 events by or about the user, newest first" }),
    provisioning: z.object({ provisioned_at: NullableTimestamp, failure: z.union([ProvisioningFailure, z.null()]) }),
  })
  .meta({ id: "UserDetail" });

const CreateUserBody = z
  .strictObject({
    email: z.email().max(320),
    invite: z.boolean().default(true).meta({ description: "true: Supabase Auth emails an invitation; false: the user is created with the email confirmed" }),
    password: z.string().min(8).max(72).optional().meta({ description: "only with invite: false" }),
    display_name: z.string().trim().min(1).max(200).optional(),
    organization_id: Uuid.optional().meta({ description: "add the new user to this organization" }),
    role: Name.optional().meta({ description: "their role there (default member)" }),
  })
  .refine((body) => body.invite === false || body.password === undefined, { path: ["password"], message: "a password only goes with invite: false" })
  .meta({ id: "CreateUserInput" });

const UpdateUserBody = z
  .strictObject({
    display_name: z.string().max(200).nullable().optional(),
    avatar_url: z.string().max(2048).nullable().optional(),
    company_name: z.string().max(200).nullable().optional(),
    timezone: z.string().max(64).nullable().optional(),
    onboarding_completed: z.boolean().optional(),
    plan: Name.optional(),
  })
  .meta({ id: "UpdateUserInput", description: "Editable fields only: email, identity, status and roles have endpoints (or owners) of their own." });

const DisabledState = z.object({ id: Uuid, auth_user_id: Uuid.nullable(), disabled_at: NullableTimestamp, status: Status, sessions_revoked: z.number().int() }).meta({ id: "UserDisabledState" });
const RoleParams = z.object({ id: Uuid, role: Name });

const tags = ["users"];
const who = "Needs users:admin (a personal access token: the users:admin scope). Audited.";

const page = "GET /admin/users";

async function listUsers(query: z.output<typeof ListQuery>, ctx: Context, req: Request) {
  const filters = { ...query };
  const [afterCreatedAt, afterId] = (await decodeCursor<[string, string]>(ctx, page, filters, query.cursor)) ?? [null, null];
  const result = await callAsCaller<{ users: unknown[]; next: { created_at: string; id: string } | null }>(req, ctx, (tx) => tx`
    select public.admin_list_users(${query.q ?? null}, ${query.role ?? null}, ${query.org ?? null}::uuid, ${query.status ?? null},
                                   ${query.provider ?? null}, ${afterCreatedAt}::timestamptz, ${afterId}::uuid, ${query.page_size}) as result`);
  const next = result.next && (await encodeCursor(ctx, page, filters, [result.next.created_at, result.next.id]));
  return { users: result.users, next_cursor: next ?? null };
}

const getUser = (id: string, ctx: Context, req: Request) =>
  callAsCaller(req, ctx, (tx) => tx`select public.admin_get_user(${id}::uuid) as result`);

async function createUser(body: z.output<typeof CreateUserBody>, ctx: Context, req: Request) {
  const { email } = await callAsCaller<{ email: string }>(req, ctx, (tx) => tx`
    select public.begin_user_creation(${body.email}, ${body.organization_id ?? null}::uuid, ${body.role ?? null}) as result`);
  const data = body.display_name ? { display_name: body.display_name } : undefined;
  const auth = authAdmin(ctx.config);
  const { data: created, error } = body.invite
    ? await auth.inviteUserByEmail(email, { data })
    : await auth.createUser({ email, password: body.password, email_confirm: true, user_metadata: data });
  if (error || !created.user) throw authFailure(error ?? { message: "no user returned" }, body.invite ? "invite the user" : "create the user");
  const id = created.user.id;
  if (body.organization_id) {
    try {
      await callAsCaller(req, ctx, (tx) => tx`select public.add_member(${body.organization_id!}::uuid, ${id}::uuid, null, ${body.role ?? "member"}) as result`);
    } catch (error) {
      // All or nothing: a user the request could not place where it asked is not left behind.
      await auth.deleteUser(id);
      throw error;
    }
  }
  return getUser(id, ctx, req);
}

async function setDisabled(id: string, disabled: boolean, ctx: Context, req: Request) {
  const state = await callAsCaller<{ auth_user_id: string | null }>(req, ctx, (tx) => tx`select public.set_user_disabled(${id}::uuid, ${disabled}) as result`);
  if (state.auth_user_id) {
    // Tenantry refuses the user from here on; the ban keeps Supabase Auth from signing them in again.
    const { error } = await authAdmin(ctx.config).updateUserById(state.auth_user_id, { ban_duration: disabled ? PERMANENT_BAN : "none" });
    if (error) throw authFailure(error, disabled ? "ban the user (Tenantry has disabled them)" : "lift the user's ban (Tenantry has enabled them)");
  }
  return state;
}

async function deleteUser(id: string, ctx: Context, req: Request) {
  const outcome = await callAsCaller<{ id: string; auth_user_id: string | null; deleted: boolean }>(req, ctx, (tx) => tx`
    select public.delete_user(${id}::uuid) as result`);
  if (outcome.auth_user_id) {
    const { error } = await authAdmin(ctx.config).deleteUser(outcome.auth_user_id);
    if (error) throw authFailure(error, "delete the user");
  }
  return { id: outcome.id, deleted: true };
}

export const userEndpoints = [
  endpoint({
    method: "get", path: "/admin/users", tags, summary: "List and search users", description: `${who} Newest first; q is index-backed.`,
    query: ListQuery, errors: [400],
    response: { description: "a page of users", schema: UserPage },
    handler: ({ query }, ctx, req) => listUsers(query, ctx, req),
  }),
  endpoint({
    method: "post", path: "/admin/users", tags, summary: "Create or invite a Supabase Auth user",
    description: `${who} Through Supabase Auth's admin API; optionally into an organization with a role.`,
    body: CreateUserBody, errors: [400, 404, 409, 413, 502], example: { email: "carol@example.com", invite: true },
    response: { status: 201, description: "the new user in full", schema: UserDetail },
    handler: ({ body }, ctx, req) => createUser(body, ctx, req),
  }),
  endpoint({
    method: "get", path: "/admin/users/{id}", tags, summary: "One user in full",
    description: `${who} Profile, memberships, platform roles with source, overrides, token metadata, quota usage, recent audit events, provisioning state.`,
    params: IdParams, errors: [404],
    response: { description: "the user", schema: UserDetail },
    handler: ({ params }, ctx, req) => getUser(params.id, ctx, req),
  }),
  endpoint({
    method: "patch", path: "/admin/users/{id}", tags, summary: "Edit a user's profile fields and plan", description: who,
    params: IdParams, body: UpdateUserBody, errors: [400, 404, 413], example: { display_name: "Carol", plan: "pro" },
    response: { description: "the updated profile", schema: UserProfile },
    handler: ({ params, body }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.admin_update_user(${params.id}::uuid, ${tx.json(body)}) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/users/{id}", tags, summary: "Delete a user",
    description: `${who} Supabase Auth users through its admin API; memberships and tokens cascade, the audit history stays. Not the last owner of a shared organization.`,
    params: IdParams, errors: [404, 409, 502],
    response: { description: "deleted", schema: z.object({ id: Uuid, deleted: z.literal(true) }) },
    handler: ({ params }, ctx, req) => deleteUser(params.id, ctx, req),
  }),
  endpoint({
    method: "post", path: "/admin/users/{id}/disable", tags, summary: "Disable a user",
    description: `${who} Refused from their very next request (JWT or token); Supabase Auth users are also banned and signed out.`,
    params: IdParams, errors: [404, 502],
    response: { description: "the user's new state", schema: DisabledState },
    handler: ({ params }, ctx, req) => setDisabled(params.id, true, ctx, req),
  }),
  endpoint({
    method: "post", path: "/admin/users/{id}/enable", tags, summary: "Enable a disabled user", description: `${who} Lifts the Supabase Auth ban too.`,
    params: IdParams, errors: [404, 502],
    response: { description: "the user's new state", schema: DisabledState },
    handler: ({ params }, ctx, req) => setDisabled(params.id, false, ctx, req),
  }),
  endpoint({
    method: "put", path: "/admin/users/{id}/roles/{role}", tags, summary: "Grant a platform role", description: `${who} Source admin (role sync leaves it alone).`,
    params: RoleParams, errors: [404],
    response: { description: "the assignment", schema: z.object({ user_id: Uuid, role: z.string(), source: z.string() }).loose() },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.grant_platform_role(${params.id}::uuid, ${params.role}) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/users/{id}/roles/{role}", tags, summary: "Revoke a platform role", description: `${who} Not your own.`,
    params: RoleParams, errors: [404],
    response: { description: "revoked", schema: z.object({ revoked: z.literal(true), user_id: Uuid, role: z.string() }) },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.revoke_platform_role(${params.id}::uuid, ${params.role}) as result`),
  }),
];
