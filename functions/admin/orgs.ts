// /admin/orgs (SPEC F4, F14): organizations, their members and invitations. Operators
// (platform roles) and the organization's own admins and owners may call these, each
// as far as their permissions go: the SQL functions decide, and audit.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { decodeCursor, encodeCursor } from "../_shared/cursor.ts";
import type { Context } from "../_shared/http.ts";
import { CreateOrganizationBody, Organization, OrganizationName, OrganizationSlug, createOrganization } from "../_shared/organizations.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, JsonObject, Name, NextCursor, PageQuery, SearchTerm, Timestamp, Uuid } from "../_shared/schemas.ts";

const OrganizationRow = Organization.omit({ created_by: true, updated_at: true })
  .extend({ member_count: z.number().int() })
  .meta({ id: "OrganizationRow" });

const Member = z
  .object({ user_id: Uuid, email: z.string().nullable(), display_name: z.string().nullable(), avatar_url: z.string().nullable(), role: z.string(), since: Timestamp })
  .meta({ id: "Member" });

const Invitation = z
  .object({ id: Uuid, email: z.string(), role: z.string(), invited_by: Uuid.nullable(), expires_at: Timestamp, created_at: Timestamp })
  .meta({ id: "Invitation" });

// What POST …/members answers: the membership (a user added directly, with users:admin),
// or the invitation sent instead (an email, without it), carrying its token once.
const Membership = z
  .object({ organization_id: Uuid, user_id: Uuid, role: z.string(), role_scope: z.string(), created_at: Timestamp, updated_at: Timestamp })
  .meta({ id: "Membership" });
const InvitationWithToken = Invitation.extend({ token: z.string().meta({ description: "shown once; only its hash is kept" }), organization_id: Uuid })
  .loose()
  .meta({ id: "InvitationWithToken" });
const AddMemberResult = z.union([Membership, InvitationWithToken]).meta({ id: "AddMemberResult", description: "the membership, or the invitation sent instead (it has a token)" });

const QuotaUse = z.object({ max: z.number().int().nullable().meta({ description: "null: no limit" }), used: z.number().int() });
const OrganizationQuotaUsage = z
  .object({ plan: z.string(), members_per_org: QuotaUse, projects_per_org: QuotaUse })
  .meta({ id: "OrganizationQuotaUsage" });

const OrganizationDetail = z
  .object({
    organization: Organization,
    members: z.array(Member).meta({ description: "empty without members:read" }),
    invitations: z.array(Invitation).meta({ description: "pending ones; empty without members:manage" }),
    quota_usage: OrganizationQuotaUsage,
    flags: z.object({ overrides: JsonObject, plan: JsonObject }),
  })
  .meta({ id: "OrganizationDetail" });

const UpdateOrganizationBody = z
  .strictObject({ name: OrganizationName.optional(), slug: OrganizationSlug.optional(), description: z.string().max(1000).optional() })
  .refine((body) => Object.keys(body).length > 0, { message: "give at least one of name, slug, description" })
  .meta({ id: "UpdateOrganizationInput" });

const AddMemberBody = z
  .strictObject({ user_id: Uuid.optional(), email: z.email().max(320).optional(), role: Name.default("member") })
  .refine((body) => (body.user_id === undefined) !== (body.email === undefined), { path: ["user_id"], message: "give exactly one of user_id and email" })
  .meta({ id: "AddMemberInput" });
const ChangeRoleBody = z.strictObject({ role: Name }).meta({ id: "ChangeMemberRoleInput" });
const InviteBody = z.strictObject({ email: z.email().max(320), role: Name.default("member") }).meta({ id: "CreateInvitationInput" });

const MemberParams = z.object({ id: Uuid, user_id: Uuid });
const InvitationParams = z.object({ id: Uuid, invitation_id: Uuid });

const ListQuery = z.strictObject({ q: SearchTerm.optional().meta({ description: "substring of the name or slug, case-insensitive" }), ...PageQuery });

const tags = ["organizations"];
const page = "GET /admin/orgs";

async function listOrganizations(query: z.output<typeof ListQuery>, ctx: Context, req: Request) {
  const filters = { ...query };
  const [afterCreatedAt, afterId] = (await decodeCursor<[string, string]>(ctx, page, filters, query.cursor)) ?? [null, null];
  const result = await callAsCaller<{ organizations: unknown[]; next: { created_at: string; id: string } | null }>(req, ctx, (tx) => tx`
    select public.admin_list_organizations(${query.q ?? null}, ${afterCreatedAt}::timestamptz, ${afterId}::uuid, ${query.page_size}) as result`);
  const next = result.next && (await encodeCursor(ctx, page, filters, [result.next.created_at, result.next.id]));
  return { organizations: result.organizations, next_cursor: next ?? null };
}

export const organizationEndpoints = [
  endpoint({
    method: "get", path: "/admin/orgs", tags, summary: "List and search organizations",
    description: "Every organization for a platform role with org:read; otherwise those where the caller's role holds it. With member counts; q is index-backed.",
    query: ListQuery, errors: [400],
    response: { description: "a page of organizations", schema: z.object({ organizations: z.array(OrganizationRow), next_cursor: NextCursor }).meta({ id: "OrganizationPage" }) },
    handler: ({ query }, ctx, req) => listOrganizations(query, ctx, req),
  }),
  endpoint({
    method: "post", path: "/admin/orgs", tags, summary: "Create an organization",
    description: "orgs:create (every user; quota orgs_per_user). The caller becomes its owner. A slug or name in use is a 409 naming the field. Audited.",
    body: CreateOrganizationBody, errors: [409, 413], example: { name: "Acme", slug: "acme" },
    response: { status: 201, description: "the new organization", schema: Organization },
    handler: ({ body }, ctx, req) => createOrganization(body, ctx, req),
  }),
  endpoint({
    method: "get", path: "/admin/orgs/{id}", tags, summary: "One organization in full",
    description: "org:read on it: members with roles, pending invitations, quota usage, flags.",
    params: IdParams, errors: [404],
    response: { description: "the organization", schema: OrganizationDetail },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.admin_get_organization(${params.id}::uuid) as result`),
  }),
  endpoint({
    method: "patch", path: "/admin/orgs/{id}", tags, summary: "Rename, re-slug or describe an organization",
    description: "org:update on it. A slug or name in use is a 409 naming the field. Audited.",
    params: IdParams, body: UpdateOrganizationBody, errors: [404, 409, 413], example: { description: "Rockets and anvils" },
    response: { description: "the updated organization", schema: Organization },
    handler: ({ params, body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.update_organization(${params.id}::uuid, ${body.name ?? null}, ${body.slug ?? null}, ${body.description ?? null}) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/orgs/{id}", tags, summary: "Delete an organization",
    description: "org:delete on it; never the default organization. Audited.",
    params: IdParams, errors: [404],
    response: { description: "deleted", schema: z.object({ deleted: z.literal(true), id: Uuid }) },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.delete_organization(${params.id}::uuid) as result`),
  }),
  endpoint({
    method: "post", path: "/admin/orgs/{id}/members", tags, summary: "Add a member by user id or email",
    description: "members:manage on it, up to the caller's own rank. With users:admin a user is added directly (by id, or by verified email); without it an email becomes an invitation. Audited.",
    params: IdParams, body: AddMemberBody, errors: [404, 409, 413], example: { email: "bob@example.com", role: "member" },
    response: { status: 201, description: "the membership, or the invitation sent instead", schema: AddMemberResult },
    handler: ({ params, body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.add_member(${params.id}::uuid, ${body.user_id ?? null}::uuid, ${body.email ?? null}, ${body.role}) as result`),
  }),
  endpoint({
    method: "patch", path: "/admin/orgs/{id}/members/{user_id}", tags, summary: "Change a member's role",
    description: "members:manage on it, never above the caller's own rank, never your own role, never leaving it without an owner. Audited.",
    params: MemberParams, body: ChangeRoleBody, errors: [404, 409, 413], example: { role: "admin" },
    response: { description: "the membership", schema: JsonObject },
    handler: ({ params, body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`select public.change_member_role(${params.id}::uuid, ${params.user_id}::uuid, ${body.role}) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/orgs/{id}/members/{user_id}", tags, summary: "Remove a member",
    description: "members:manage on it; not a member who outranks the caller, not the last owner. Audited.",
    params: MemberParams, errors: [404, 409],
    response: { description: "removed", schema: z.object({ removed: z.literal(true), organization_id: Uuid, user_id: Uuid }) },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.remove_member(${params.id}::uuid, ${params.user_id}::uuid) as result`),
  }),
  endpoint({
    method: "get", path: "/admin/orgs/{id}/invitations", tags, summary: "Pending invitations", description: "members:manage on it.",
    params: IdParams, errors: [404],
    response: { description: "the open invitations, newest first", schema: z.object({ invitations: z.array(Invitation) }) },
    handler: async ({ params }, ctx, req) => ({
      invitations: await callAsCaller(req, ctx, (tx) => tx`select public.list_invitations(${params.id}::uuid) as result`),
    }),
  }),
  endpoint({
    method: "post", path: "/admin/orgs/{id}/invitations", tags, summary: "Invite someone by email",
    description: "members:manage on it, up to the caller's own rank (quota members_per_org). The answer carries the invitation token once. Audited.",
    params: IdParams, body: InviteBody, errors: [404, 409, 413], example: { email: "bob@example.com", role: "member" },
    response: { status: 201, description: "the invitation with its token", schema: InvitationWithToken },
    handler: ({ params, body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`select public.create_invitation(${params.id}::uuid, ${body.email}, ${body.role}) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/orgs/{id}/invitations/{invitation_id}", tags, summary: "Revoke an invitation",
    description: "members:manage on the organization; an invitation of another organization is not found, one already accepted or revoked a 409. Audited.",
    params: InvitationParams, errors: [404, 409],
    response: { description: "the revoked invitation", schema: JsonObject },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.revoke_invitation(${params.invitation_id}::uuid, ${params.id}::uuid) as result`),
  }),
];
