// GET /functions/v1/plans — the plans with their limits and plan-level flag values
// (SPEC F11, F12): a public route, the publishable key or no key at all suffices.
// Plans are not secret, but anon may read no table and call no RPC, so the catalog is
// read by the function's own role (private.plan_catalog(): no input, the same answer
// for everyone).
import { z } from "zod";
import { createApi, endpoint } from "../_shared/api.ts";

const Plan = z
  .object({
    plan: z.string().meta({ example: "free" }),
    limits: z.record(z.string(), z.int().nullable()).meta({
      description: "limit name → maximum (null: unlimited): members_per_org, orgs_per_user, tokens_per_user, projects_per_org",
      example: { members_per_org: 25, orgs_per_user: 5, projects_per_org: 50, tokens_per_user: 10 },
    }),
    flags: z.record(z.string(), z.unknown()).meta({ description: "the plan's own feature flag values (flag key → value)" }),
  })
  .meta({ id: "Plan" });

export const planEndpoints = [
  endpoint({
    method: "get", path: "/plans", tags: ["plans"], summary: "Plans, their limits and flags", open: "anyone",
    description: "Public: no credential needed (the publishable key is accepted too). Smallest plan first.",
    response: { description: "every plan", schema: z.object({ plans: z.array(Plan) }) },
    handler: async (_input, ctx) => {
      const [row] = await ctx.sql<{ plans: z.input<typeof Plan>[] }[]>`select private.plan_catalog() as plans`;
      return { plans: row.plans };
    },
  }),
];

export const plansApi = createApi({
  title: "Tenantry plans",
  description: "The plans a deployment offers, with their limits and plan-level feature flags. Public.",
  documentPath: "/plans/openapi.json",
  endpoints: planEndpoints,
});

export const plans = plansApi.handler;
