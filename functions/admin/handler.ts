// The admin HTTP API (SPEC F14): one file per resource, each a list of endpoints.
// Authorization is not decided here: each handler calls SQL as the caller.
import { createApi } from "../_shared/api.ts";
import { unauthorized } from "../_shared/errors.ts";
import type { Handler } from "../_shared/http.ts";
import { auditEndpoints } from "./audit.ts";
import { metricsEndpoints } from "./metrics.ts";
import { organizationEndpoints } from "./orgs.ts";
import { roleOverrideEndpoints } from "./role-overrides.ts";
import { enforceProtectedTablesOnce, rlsEndpoints } from "./rls.ts";
import { statusEndpoints } from "./status.ts";
import { userEndpoints } from "./users.ts";

export const adminApi = createApi({
  title: "Tenantry admin API",
  description: "Operators' API: users, organizations, audit, row-level security, status and metrics. Every permission check and audit event happens in SQL.",
  documentPath: "/admin/openapi.json",
  endpoints: [...userEndpoints, ...roleOverrideEndpoints, ...organizationEndpoints, ...auditEndpoints, ...rlsEndpoints, ...statusEndpoints, ...metricsEndpoints],
});

export const admin: Handler = (req, ctx) => {
  // USER_MGMT_RLS_ENFORCE (SPEC F15): once per isolate, in the background.
  enforceProtectedTablesOnce(ctx);
  // METRICS_TOKEN is a credential for one route (config.metricsToken).
  if (ctx.caller.mode === "metrics" && new URL(req.url).pathname !== "/admin/metrics") {
    throw unauthorized("the metrics token is accepted by GET /admin/metrics only");
  }
  return adminApi.handler(req, ctx);
};
