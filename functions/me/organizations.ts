// /me/organizations (SPEC F4, F14): create an organization (the caller becomes its
// owner; orgs:create) and leave one (orgs:join; the last owner cannot leave).
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { CreateOrganizationBody, Organization, createOrganization } from "../_shared/organizations.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, Uuid } from "../_shared/schemas.ts";

const Left = z.object({ removed: z.literal(true), organization_id: Uuid, user_id: Uuid }).meta({ id: "LeftOrganization" });

const tags = ["my organizations"];

export const organizationEndpoints = [
  endpoint({
    method: "post", path: "/me/organizations", tags, summary: "Create an organization",
    description: "Creates an organization owned by the caller. A slug or name already taken is 409 naming the field; the plan's organization quota applies (403 quota_exceeded). Needs orgs:create. Audited.",
    body: CreateOrganizationBody, errors: [400, 409, 413], example: { name: "Acme", slug: "acme" },
    response: { status: 201, description: "the new organization", schema: Organization },
    handler: ({ body }, ctx, req) => createOrganization(body, ctx, req),
  }),
  endpoint({
    method: "delete", path: "/me/organizations/{id}", tags, summary: "Leave an organization",
    description: "Ends the caller's membership. The last owner cannot leave (409: transfer ownership first); not a member is 404. Needs orgs:join. Audited.",
    params: IdParams, errors: [404, 409],
    response: { description: "the membership that ended", schema: Left },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.leave_organization(${params.id}::uuid) as result`),
  }),
];
