// The audit list's filters as the operator types them, checked here first (an invalid
// value is shown on its field, not sent) and turned into GET /admin/audit's query.
export interface AuditFilterDraft {
  actor: string;
  action: string;
  org: string;
  targetType: string;
  targetId: string;
  /** datetime-local values: the browser's local time, no zone. */
  since: string;
  until: string;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  org?: string;
  target_type?: string;
  target_id?: string;
  since?: string;
  until?: string;
}

export const emptyDraft: AuditFilterDraft = { actor: "", action: "", org: "", targetType: "", targetId: "", since: "", until: "" };

export type FieldErrors = Partial<Record<keyof AuditFilterDraft, string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z_]+(\.[a-z_]+)+$/;

/** A datetime-local value (local wall time) as the ISO instant the API compares with. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** The query for a draft, or the problems to show on its fields. */
export function toQuery(draft: AuditFilterDraft): { query: AuditQuery; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const text = (value: string) => value.trim() || undefined;
  const query: AuditQuery = {
    actor: text(draft.actor),
    action: text(draft.action),
    org: text(draft.org),
    target_type: text(draft.targetType),
    target_id: text(draft.targetId),
    since: localToIso(draft.since),
    until: localToIso(draft.until),
  };
  if (query.actor && !UUID.test(query.actor)) errors.actor = "An actor is a user id (a UUID).";
  if (query.org && !UUID.test(query.org)) errors.org = "An organization is its id (a UUID).";
  if (query.action && !ACTION.test(query.action)) errors.action = "An action looks like user.update: lowercase words joined by dots.";
  if (draft.since && !query.since) errors.since = "Not a date and time.";
  if (draft.until && !query.until) errors.until = "Not a date and time.";
  if (query.since && query.until && query.since >= query.until) errors.until = "Must be later than From.";
  for (const key of Object.keys(query) as (keyof AuditQuery)[]) if (query[key] === undefined) delete query[key];
  return { query, errors };
}
