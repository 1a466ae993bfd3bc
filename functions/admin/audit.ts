// /admin/audit (SPEC F13, F14): read the audit log with filters and cursor pagination,
// verify its hash chain, export a time range as NDJSON. audit:read is checked by the
// SQL functions (public.list_audit_events, public.verify_audit_chain): per organization
// for organization roles, everything for platform auditors.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { decodeCursor, encodeCursor } from "../_shared/cursor.ts";
import { asApiError, badRequest, errorBody } from "../_shared/errors.ts";
import type { Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { JsonObject, NextCursor, PageQuery, Timestamp, Uuid, plainText } from "../_shared/schemas.ts";

export const AuditEvent = z
  .object({
    id: z.int(),
    occurred_at: Timestamp,
    actor_id: Uuid.nullable(),
    actor_type: z.enum(["user", "token", "service", "operator", "system"]),
    action: z.string(),
    outcome: z.enum(["success", "denied"]),
    organization_id: Uuid.nullable(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    details: JsonObject,
    request_id: z.string().nullable().meta({ description: "the request's debug id, as the request stated it" }),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    before: z.unknown().meta({ description: "state before the change, when it has one (null otherwise)" }),
    after: z.unknown().meta({ description: "state after the change, when it has one (null otherwise)" }),
    hash: z.string().meta({ description: "the event's link in the hash chain (hex)" }),
  })
  .meta({ id: "AuditEvent" });

type AuditEventOut = z.output<typeof AuditEvent>;

const DateTime = z.iso
  .datetime({ offset: true })
  // PostgreSQL has no year 0 (ISO 8601's 0000 is 1 BC): refuse it here rather than fail in SQL.
  .refine((value) => Number(value.slice(0, 4)) >= 1, "the year must be 0001 or later")
  .meta({ description: "ISO 8601 date and time with Z or an offset", example: "2026-12-01T09:00:00Z" });

/** The filters list and export share (each optional; all given must match). */
const filterShape = {
  actor: Uuid.optional().meta({ description: "the acting user's profile id" }),
  action: z.string().max(100).regex(/^[a-z_]+(\.[a-z_]+)+$/, "must be an action such as membership.add").optional(),
  org: Uuid.optional().meta({ description: "the organization the event belongs to" }),
  target_type: plainText(100).optional().meta({ description: "e.g. user, organization, table, token" }),
  target_id: plainText(500).optional(),
  since: DateTime.optional().meta({ description: "events at or after this time" }),
  until: DateTime.optional().meta({ description: "events before this time" }),
};

/** An ISO 8601 instant as [milliseconds since the epoch, the fraction below a millisecond]: PostgreSQL keeps microseconds. */
function instant(iso: string): [number, number] {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? "";
  return [Date.parse(iso), Number(`0.${fraction.slice(3) || "0"}`)];
}
const rangeIsOrdered = (q: { since?: string; until?: string }) => {
  if (!q.since || !q.until) return true;
  const [since, until] = [instant(q.since), instant(q.until)];
  return since[0] < until[0] || (since[0] === until[0] && since[1] < until[1]);
};
const rangeProblem = { message: "must be later than since", path: ["until"] };

const AuditQuery = z.strictObject({ ...filterShape, ...PageQuery }).refine(rangeIsOrdered, rangeProblem);
const ExportQuery = z.strictObject(filterShape).refine(rangeIsOrdered, rangeProblem);
const VerifyQuery = z
  .strictObject({
    expected_head_id: z.coerce.number().int().positive().optional().meta({ description: "the id of a head exported earlier (verify's head.id)" }),
    expected_head_hash: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hexadecimal characters").optional()
      .meta({ description: "that head's hash (verify's head.hash)" }),
  })
  .refine((q) => (q.expected_head_id === undefined) === (q.expected_head_hash === undefined), {
    message: "expected_head_id and expected_head_hash go together",
    path: ["expected_head_hash"],
  });

const Verification = z
  .object({
    ok: z.boolean(),
    events_checked: z.int().optional(),
    checkpoint_id: z.int().nullable().optional().meta({ description: "where verification starts (the retention checkpoint)" }),
    head: z.object({ id: z.int().nullable(), hash: z.string(), at: Timestamp }).optional()
      .meta({ description: "export it and pass it back later to detect removal of events up to it" }),
    first_bad_event_id: z.int().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: "AuditVerification" });

interface Page {
  events: AuditEventOut[];
  next_cursor: number | null;
}

type Filters = z.output<typeof ExportQuery>;

function listPage(req: Request, ctx: Context, filters: Filters, cursor: number | null, pageSize: number): Promise<Page> {
  // The times go as text: postgres.js would send a timestamptz parameter through a JS Date,
  // cutting the microseconds PostgreSQL keeps.
  return callAsCaller<Page>(req, ctx, (tx) => tx`
    select public.list_audit_events(
      ${filters.actor ?? null}::uuid, ${filters.action ?? null}::text, ${filters.org ?? null}::uuid,
      ${filters.target_type ?? null}::text, ${filters.target_id ?? null}::text,
      ${filters.since ?? null}::text::timestamptz, ${filters.until ?? null}::text::timestamptz,
      ${cursor}::bigint, ${pageSize}::integer) as result`);
}

/** Rows per page of an export: each page is one short transaction, so memory stays flat whatever the range. */
export const EXPORT_PAGE_SIZE = 500;

interface ExportPage {
  /** The page's events as NDJSON, built by SQL (jsonb text has no raw newline), so no event becomes a JS object. */
  ndjson: string | null;
  count: number;
  next_cursor: number | null;
}

function exportPage(req: Request, ctx: Context, filters: Filters, cursor: number | null): Promise<ExportPage> {
  // The same RPC, the same gate and rules; a refusal passes through unchanged.
  return callAsCaller<ExportPage>(req, ctx, (tx) => tx`
    select case when page ? 'error' then page else jsonb_build_object(
             'next_cursor', page -> 'next_cursor',
             'count', jsonb_array_length(page -> 'events'),
             'ndjson', (select string_agg(e::text || E'\n', '' order by n) from jsonb_array_elements(page -> 'events') with ordinality as x(e, n)))
           end as result
    from (select public.list_audit_events(
      ${filters.actor ?? null}::uuid, ${filters.action ?? null}::text, ${filters.org ?? null}::uuid,
      ${filters.target_type ?? null}::text, ${filters.target_id ?? null}::text,
      ${filters.since ?? null}::text::timestamptz, ${filters.until ?? null}::text::timestamptz,
      ${cursor}::bigint, ${EXPORT_PAGE_SIZE}::integer) as page) as q`);
}

function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), function: "admin", ...entry }));
}

const tags = ["audit"];
const LIST = "GET /admin/audit";

export const auditEndpoints = [
  endpoint({
    method: "get", path: "/admin/audit", tags, summary: "Audit events",
    description:
      "Newest first, filtered by actor, action, organization, target and time range; cursor pagination. Needs audit:read " +
      "(a personal access token: the audit:read scope): organization admins and owners see their organizations' events, platform auditors all. A refusal is audited.",
    query: AuditQuery, errors: [400],
    response: { description: "one page of events", schema: z.object({ events: z.array(AuditEvent), next_cursor: NextCursor }) },
    handler: async ({ query }, ctx, req) => {
      const { cursor, page_size, ...filters } = query;
      const position = await decodeCursor<number>(ctx, LIST, filters, cursor);
      if (position !== null && !Number.isSafeInteger(position)) throw badRequest("invalid_cursor", "cursor is not one this endpoint issued");
      const page = await listPage(req, ctx, filters, position, page_size);
      return {
        events: page.events,
        next_cursor: page.next_cursor === null ? null : await encodeCursor(ctx, LIST, filters, page.next_cursor),
      };
    },
  }),
  endpoint({
    method: "get", path: "/admin/audit/verify", tags, summary: "Verify the audit hash chain",
    description:
      "Checks every event from the retention checkpoint and, when given, that a head exported earlier is still there with its hash. " +
      "Needs platform audit:read (a personal access token: the audit:read scope). A refusal is audited.",
    query: VerifyQuery,
    response: { description: "ok with the current head, or the first bad event and why", schema: Verification },
    handler: ({ query }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.verify_audit_chain(${query.expected_head_id ?? null}::bigint, ${query.expected_head_hash ?? null}::text) as result`),
  }),
  endpoint({
    method: "get", path: "/admin/audit/export", tags, summary: "Export audit events (NDJSON)",
    description:
      "Every event of a time range that matches the filters, newest first, one JSON object per line (application/x-ndjson), streamed " +
      `page by page (${EXPORT_PAGE_SIZE} events per page, each read in its own short transaction), so any range streams in constant memory. ` +
      "Without until, the range ends when the export starts. Needs audit:read like GET /admin/audit; a refusal before the first line is a 403 " +
      "(audited). If reading fails midway (e.g. the caller lost audit:read), the last line is {\"error\": {...}} instead of an event.",
    query: ExportQuery,
    response: { description: "one AuditEvent per line", schema: AuditEvent, media: "application/x-ndjson" },
    handler: async ({ query }, ctx, req) => {
      const filters: Filters = { ...query, until: query.until ?? new Date().toISOString() };
      // The first page before answering: a refusal is a plain 403, not a broken stream.
      let pending: ExportPage | null = await exportPage(req, ctx, filters, null);
      let cursor: number | null = null;
      let exported = 0;
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              // Until this pull has given the client something: a page of lines, or the end.
              for (;;) {
                const page: ExportPage = pending ?? (await exportPage(req, ctx, filters, cursor));
                pending = null;
                if (page.ndjson) controller.enqueue(encoder.encode(page.ndjson));
                exported += page.count;
                if (page.next_cursor === null) {
                  controller.close();
                  log({ level: "info", debug_id: ctx.debugId, event: "audit_export", exported, complete: true });
                  return;
                }
                cursor = page.next_cursor;
                if (page.ndjson) return;
              }
            } catch (error) {
              const apiError = asApiError(error);
              log({ level: "error", debug_id: ctx.debugId, event: "audit_export", exported, complete: false,
                    cause: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) });
              controller.enqueue(encoder.encode(`${JSON.stringify(errorBody(apiError, ctx.debugId))}\n`));
              controller.close();
            }
          },
        },
        // Pull a page only when the client has taken the previous one.
        { highWaterMark: 0 },
      );
      const range = `${filters.since ?? "start"}_${filters.until}`.replace(/[^0-9A-Za-z_-]/g, "");
      return new Response(body, {
        status: 200,
        headers: {
          "content-type": "application/x-ndjson; charset=utf-8",
          "content-disposition": `attachment; filename="audit-${range}.ndjson"`,
          "cache-control": "no-store",
        },
      });
    },
  }),
];
