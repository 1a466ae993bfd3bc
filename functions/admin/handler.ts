// The admin HTTP API (SPEC F14): one file per resource, each a list of endpoints.
// Authorization is not decided here: each handler calls SQL as the caller.
import { createApi } from "../_shared/api.ts";
import { roleOverrideEndpoints } from "./role-overrides.ts";

export const adminApi = createApi({
  title: "Tenantry admin API",
  description: "Operators' API: users, organizations, audit, row-level security, status and metrics. Every permission check and audit event happens in SQL.",
  documentPath: "/admin/openapi.json",
  endpoints: [...roleOverrideEndpoints],
});

export const admin = adminApi.handler;
