// GET /functions/v1/health — liveness: proves the whole request path (gateway → Deno →
// credential check → a database round trip under the caller's own identity) and reports
// the operational toggles (SPEC F15).
// GET /functions/v1/health/ready — readiness: the database answers and every migration
// these functions were built with is applied (else 503).
import { z } from "zod";
import { createApi, endpoint } from "../_shared/api.ts";
import type { Toggles } from "../_shared/config.ts";
import { withIdentity } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import { migrationState } from "./migration-state.ts";

const TogglesReport = z
  .object({
    USER_MGMT_CORE: z.boolean().meta({ description: "admin routes and just-in-time provisioning" }),
    USER_MGMT_UI: z.boolean().meta({ description: "the admin console" }),
    USER_MGMT_ENFORCE: z.boolean().meta({ description: "permission checks on the admin routes (RLS stays either way)" }),
    USER_MGMT_RLS_ENFORCE: z.boolean().meta({ description: "protect_table re-applied to registered tables when the admin function starts" }),
  })
  .meta({ id: "Toggles", description: "the operational toggles as this function reads them now (unset or empty: on)" });

const Health = z
  .object({
    status: z.literal("ok"),
    caller: z.object({ mode: z.string(), role: z.string(), user_id: z.string().nullable() }),
    database: z.object({
      ok: z.literal(true),
      role: z.string().meta({ description: "the database role the request ran as" }),
      subject: z.string().nullable().meta({ description: "auth.jwt() ->> 'sub' inside the database" }),
      server_version: z.string(),
      latency_ms: z.number(),
    }),
    toggles: TogglesReport,
  })
  .meta({ id: "Health" });

const Readiness = z
  .object({
    status: z.literal("ready"),
    database: z.object({ ok: z.literal(true), latency_ms: z.number() }),
    migrations: z.object({
      current: z.literal(true),
      shipped: z.int().meta({ description: "migrations these functions were built with" }),
      applied: z.int().meta({ description: "migrations recorded in supabase_migrations.schema_migrations" }),
      latest_shipped: z.string().nullable(),
      latest_applied: z.string().nullable(),
      newer_applied: z.array(z.string()).meta({ description: "applied versions these functions do not ship (a newer deployment's)" }),
    }),
  })
  .meta({ id: "Readiness" });

export function togglesReport(toggles: Toggles): z.output<typeof TogglesReport> {
  return {
    USER_MGMT_CORE: toggles.core,
    USER_MGMT_UI: toggles.ui,
    USER_MGMT_ENFORCE: toggles.enforce,
    USER_MGMT_RLS_ENFORCE: toggles.rlsEnforce,
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const tags = ["health"];

export const healthEndpoints = [
  endpoint({
    method: "get", path: "/health", tags, summary: "Liveness", open: "apikey",
    description: "Any accepted credential (the publishable key is enough): a database round trip as the caller, and the toggles.",
    response: { description: "the function, its credential check and the database work", schema: Health },
    handler: async (_input, ctx, req) => {
      const started = performance.now();
      const [row] = await withIdentity(
        ctx.sql,
        ctx.caller,
        (tx) => tx<{ db_role: string; subject: string | null; server_version: string }[]>`
          select current_user as db_role,
                 auth.jwt() ->> 'sub' as subject,
                 current_setting('server_version') as server_version`,
        { method: req.method, path: new URL(req.url).pathname },
      );
      return {
        status: "ok" as const,
        caller: { mode: ctx.caller.mode, role: ctx.caller.role, user_id: ctx.caller.userId },
        database: { ok: true as const, role: row.db_role, subject: row.subject, server_version: row.server_version, latency_ms: round(performance.now() - started) },
        toggles: togglesReport(ctx.toggles),
      };
    },
  }),
  endpoint({
    method: "get", path: "/health/ready", tags, summary: "Readiness", open: "apikey",
    description:
      "Any accepted credential (the publishable key is enough). 200 when the database answers and every migration these functions " +
      "were built with is applied; 503 otherwise (the message names the missing migrations).",
    errors: [503],
    response: { description: "ready to serve", schema: Readiness },
    handler: async (_input, ctx) => {
      const started = performance.now();
      // The function's own role: which migrations are applied is the deployment's state, not the caller's.
      const [row] = await ctx.sql<{ versions: string[] }[]>`select private.applied_migrations() as versions`;
      const latency = round(performance.now() - started);
      const { missing, ...state } = migrationState(row.versions);
      if (missing.length > 0) {
        const named = missing.slice(0, 10).map((m) => `${m.version}_${m.name}`).join(", ");
        throw new ApiError(503, "not_ready",
          `${missing.length} migration(s) these functions need are not applied to the database: ${named}${missing.length > 10 ? ", ..." : ""} (run supabase db push)`);
      }
      return { status: "ready" as const, database: { ok: true as const, latency_ms: latency }, migrations: { ...state, current: true as const } };
    },
  }),
];

export const healthApi = createApi({
  title: "Tenantry health",
  description: "Liveness and readiness of the deployment. The publishable key is enough.",
  documentPath: "/health/openapi.json",
  endpoints: healthEndpoints,
});

export const health = healthApi.handler;
