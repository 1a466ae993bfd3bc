// /admin/users/{id}/role-overrides (SPEC F8): read, replace and clear a user's role
// overrides. users:admin is checked by the SQL functions, which also audit.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, Name, Uuid } from "../_shared/schemas.ts";

const RoleOverrides = z
  .object({
    user_id: Uuid,
    paused: z.boolean(),
    preserved: z.array(z.string()),
    suppressed: z.array(z.string()),
    updated_at: z.string().nullable(),
  })
  .meta({ id: "RoleOverrides" });

const roleList = z.array(Name).max(50);
const OverridesBody = z
  .strictObject({
    paused: z.boolean().optional(),
    preserved: roleList.optional().meta({ description: "platform roles role sync keeps even when the IdP groups no longer grant them" }),
    suppressed: roleList.optional().meta({ description: "platform roles role sync never grants" }),
  })
  .meta({ id: "RoleOverridesInput" });

const tags = ["role overrides"];
const who = "Needs users:admin (a personal access token: the users:admin scope). Audited.";

export const roleOverrideEndpoints = [
  endpoint({
    method: "get", path: "/admin/users/{id}/role-overrides", tags, summary: "A user's role overrides", description: who,
    params: IdParams, errors: [404],
    response: { description: "the overrides (empty lists when none are set)", schema: RoleOverrides },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.get_role_overrides(${params.id}::uuid) as result`),
  }),
  endpoint({
    method: "put", path: "/admin/users/{id}/role-overrides", tags, summary: "Replace a user's role overrides", description: who,
    params: IdParams, body: OverridesBody, errors: [404], example: { paused: false, preserved: ["auditor"], suppressed: [] },
    response: { description: "the stored, normalised overrides", schema: RoleOverrides },
    handler: ({ params, body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.set_role_overrides(${params.id}::uuid, ${body.paused ?? false}, ${body.preserved ?? []}::text[], ${body.suppressed ?? []}::text[]) as result`),
  }),
  endpoint({
    method: "delete", path: "/admin/users/{id}/role-overrides", tags, summary: "Clear a user's role overrides", description: who,
    params: IdParams, errors: [404],
    response: { description: "the (now empty) overrides", schema: RoleOverrides },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.clear_role_overrides(${params.id}::uuid) as result`),
  }),
];
