// The admin HTTP API (SPEC F14): one file per resource, each a list of endpoints.
// Authorization is not decided here: each handler calls SQL as the caller.
import { createApi } from "../_shared/api.ts";
import { organizationEndpoints } from "./orgs.ts";
import { roleOverrideEndpoints } from "./role-overrides.ts";
import { userEndpoints } from "./users.ts";

export const adminApi = createApi({
  title: "Tenantry admin API",
  description: "Operators' API: users, organizations, audit, row-level security, status and metrics. Every permission check and audit event happens in SQL.",
  documentPath: "/admin/openapi.json",
  endpoints: [...userEndpoints, ...roleOverrideEndpoints, ...organizationEndpoints],
});

export const admin = adminApi.handler;
