// One filtered list of audit events, newest first, a page at a time by the API's cursor.
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Pager, useCursorPages } from "../../components/cursor-pages.tsx";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { AUDIT_PAGE_SIZE } from "../../components/paging.ts";
import { When } from "../../components/When.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { Outcome, type AuditEvent } from "./AuditEventDrawer.tsx";
import type { AuditQuery } from "./filters.ts";
import { auditKeys } from "./keys.ts";


/** A UUID shortened for the table; the whole id is in the drawer. */
const short = (id: string | null) => (id ? <code title={id}>{id.slice(0, 8)}</code> : "—");

function columns(onOpen: (event: AuditEvent) => void): ColumnDef<AuditEvent>[] {
  return [
    {
      header: "Event",
      cell: ({ row }) => (
        <button type="button" className="link-button" aria-label={`Open event ${row.original.id} (${row.original.action})`} onClick={() => onOpen(row.original)}>
          {row.original.id}
        </button>
      ),
    },
    { header: "Time", cell: ({ row }) => <When value={row.original.occurred_at} /> },
    { header: "Action", cell: ({ row }) => <code>{row.original.action}</code> },
    { header: "Outcome", cell: ({ row }) => <Outcome outcome={row.original.outcome} /> },
    { header: "Actor", cell: ({ row }) => <>{row.original.actor_type} {short(row.original.actor_id)}</> },
    {
      header: "Target",
      cell: ({ row }) => (row.original.target_type || row.original.target_id ? `${row.original.target_type ?? ""} ${row.original.target_id ?? ""}`.trim() : "—"),
    },
    { header: "Organization", cell: ({ row }) => short(row.original.organization_id) },
  ];
}

export function AuditEventList({ query, onOpen }: { query: AuditQuery; onOpen: (event: AuditEvent) => void }) {
  const { api } = useSession();
  const pages = useCursorPages(query);
  // Stable columns: new cell functions would remount every row's button (and lose its focus).
  const cols = useMemo(() => columns(onOpen), [onOpen]);
  const page = useQuery({
    queryKey: auditKeys.events(query, pages.cursor),
    queryFn: async () =>
      unwrap(await api.admin.GET("/admin/audit", { params: { query: { ...query, cursor: pages.cursor, page_size: AUDIT_PAGE_SIZE } } })),
  });
  useToastOnError(page.error);
  return (
    <>
      <div className="row">{page.isFetching && <span role="status">Loading events…</span>}</div>
      {page.isError && <p role="alert">Could not load audit events: {messageOf(page.error)}</p>}
      {page.data && (
        <>
          <DataTable label="Audit events" columns={cols} rows={page.data.events} rowId={(e) => String(e.id)} empty="No events match these filters." />
          <Pager label="Audit event pages" page={pages.page} nextCursor={page.data.next_cursor} onPrevious={pages.previous} onNext={() => pages.next(page.data.next_cursor)} />
        </>
      )}
    </>
  );
}
