// Every query key of the Audit screen, in one place.
import type { AuditQuery } from "./filters.ts";

export const auditKeys = {
  all: ["admin", "audit"] as const,
  events: (query: AuditQuery, cursor: string | undefined) => [...auditKeys.all, "events", query, cursor] as const,
  verify: ["admin", "audit", "verify"] as const,
};
