// /me/organizations (SPEC F4, F14): create an organization (the caller becomes its
// owner; orgs:create) and leave one (orgs:join; the last owner cannot leave).
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, Timestamp, Uuid } from "../_shared/schemas.ts";

const Organization = z
  .object({
    id: Uuid,
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    is_default: z.boolean(),
    is_personal: z.boolean(),
    plan: z.string(),
    created_by: Uuid.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .loose()
  .meta({ id: "Organization" });

const CreateOrganization = z
  .strictObject({
    name: z.string().trim().min(1).max(100).meta({ description: "unique, case-insensitively" }),
    slug: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "unique; normalised (lower case, spaces, dots and underscores to hyphens) to 1–48 letters, digits and inner hyphens; derived from the name when left out" }),
    description: z.string().max(1000).nullable().optional(),
  })
  .meta({ id: "CreateOrganizationInput" });

const Left = z.object({ removed: z.literal(true), organization_id: Uuid, user_id: Uuid }).meta({ id: "LeftOrganization" });

const tags = ["my organizations"];

export const organizationEndpoints = [
  endpoint({
    method: "post", path: "/me/organizations", tags, summary: "Create an organization",
    description: "Creates an organization owned by the caller. A slug or name already taken is 409 naming the field; the plan's organization quota applies (403 quota_exceeded). Needs orgs:create. Audited.",
    body: CreateOrganization, errors: [400, 409, 413], example: { name: "Acme", slug: "acme" },
    response: { status: 201, description: "the new organization", schema: Organization },
    handler: ({ body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.create_organization(${body.name}, ${body.slug ?? null}, ${body.description ?? null}) as result`),
  }),
  endpoint({
    method: "delete", path: "/me/organizations/{id}", tags, summary: "Leave an organization",
    description: "Ends the caller's membership. The last owner cannot leave (409: transfer ownership first); not a member is 404. Needs orgs:join. Audited.",
    params: IdParams, errors: [404, 409],
    response: { description: "the membership that ended", schema: Left },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.leave_organization(${params.id}::uuid) as result`),
  }),
];
