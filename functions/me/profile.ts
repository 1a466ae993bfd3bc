// GET /me: the caller's profile, memberships, roles, permissions and flags.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { notFound } from "../_shared/errors.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { JsonObject, Uuid } from "../_shared/schemas.ts";

export const Me = z
  .object({
    profile: JsonObject,
    memberships: z.array(z.object({ organization_id: Uuid, slug: z.string(), name: z.string(), role: z.string(), permissions: z.array(z.string()) })),
    platform_roles: z.array(z.string()),
    platform_permissions: z.array(z.string()),
    account_permissions: z.array(z.string()),
    token: z.object({ id: Uuid, scopes: z.array(z.string()) }).nullable().meta({ description: "set when the caller is a personal access token" }),
    flags: JsonObject,
  })
  .meta({ id: "Me" });

const tags = ["me"];

export const profileEndpoints = [
  endpoint({
    method: "get", path: "/me", tags, summary: "Who I am",
    description: "Profile, memberships with their permissions, platform roles, effective permissions and flags. A third-party user's first call provisions them.",
    errors: [404],
    response: { description: "the caller's account", schema: Me },
    handler: async (_input, ctx, req) => {
      const result = await callAsCaller(req, ctx, (tx) => tx<{ result: z.input<typeof Me> | null }[]>`select public.me() as result`);
      if (!result) throw notFound("no profile for this user yet: sign in again or call ensure_provisioned");
      return result;
    },
  }),
];
