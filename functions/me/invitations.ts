// /me/invitations (SPEC F4, F14): the invitations sent to the caller's verified email,
// and accepting one with the token its inviter passed on. Both need orgs:join (every
// user holds it; a personal access token needs the scope).
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { Timestamp, Uuid } from "../_shared/schemas.ts";

const PendingInvitation = z
  .object({
    id: Uuid,
    organization: z.object({ id: Uuid, slug: z.string(), name: z.string() }),
    role: z.string().meta({ description: "the organization role accepting gives" }),
    invited_by: z
      .object({ id: Uuid, display_name: z.string().nullable(), email: z.string().nullable() })
      .nullable()
      .meta({ description: "who sent it; null when an operator or the secret key did" }),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .meta({ id: "PendingInvitation" });

const MyInvitations = z
  .object({
    email: z.string().nullable().meta({ description: "the verified email the invitations were matched to; null while your email is unverified (nothing matches)" }),
    invitations: z.array(PendingInvitation),
  })
  .meta({ id: "MyInvitations" });

const AcceptInvitation = z
  .strictObject({
    token: z.string().regex(/^[0-9a-f]{64}$/, "must be the invitation's token: 64 lower-case hexadecimal characters").meta({ description: "the secret create_invitation returned to the inviter" }),
  })
  .meta({ id: "AcceptInvitationInput" });

const Membership = z
  .object({ organization_id: Uuid, user_id: Uuid, role: z.string(), created_at: Timestamp })
  .loose()
  .meta({ id: "Membership" });

const tags = ["my invitations"];

export const invitationEndpoints = [
  endpoint({
    method: "get", path: "/me/invitations", tags, summary: "My pending invitations",
    description: "Invitations sent to the caller's verified email that can still be accepted, newest first: organization, role, inviter and expiry (never the token). Needs orgs:join.",
    response: { description: "the pending invitations", schema: MyInvitations },
    handler: (_input, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.list_my_invitations() as result`),
  }),
  endpoint({
    method: "post", path: "/me/invitations/accept", tags, summary: "Accept an invitation",
    description: "Joins the organization with the invitation's role. The invitation must be addressed to the caller's verified email, pending and unexpired, and its inviter must still be allowed to invite with that role; otherwise 403 (audited). Single use. Needs orgs:join. Audited.",
    body: AcceptInvitation, errors: [400, 409, 413], example: { token: "9f2c".repeat(16) },
    response: { description: "the new membership", schema: Membership },
    handler: ({ body }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.accept_invitation(${body.token}) as result`),
  }),
];
