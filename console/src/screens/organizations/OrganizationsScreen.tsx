// Organizations (platform org:read): the table with member counts, searched on the server
// (debounced) and paged by cursor; a new-organization form; each row opens the drawer.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { Pager, useCursorPages } from "../../components/cursor-pages.tsx";
import { useDebounced } from "../../components/debounce.ts";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { Field } from "../../components/Field.tsx";
import { PAGE_SIZE } from "../../components/paging.ts";
import { When } from "../../components/When.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { CreateOrganizationForm } from "./CreateOrganizationForm.tsx";
import { orgKeys } from "./keys.ts";
import { OrganizationDrawer } from "./OrganizationDrawer.tsx";
import "./organizations.css";

type OrganizationRow = components["schemas"]["OrganizationRow"];


function columns(open: (row: OrganizationRow) => void): ColumnDef<OrganizationRow>[] {
  return [
    {
      header: "Name",
      cell: ({ row }) => (
        <button type="button" className="link-button" aria-label={`Open ${row.original.name}`} onClick={() => open(row.original)}>
          {row.original.name}
        </button>
      ),
    },
    { header: "Slug", cell: ({ row }) => <code>{row.original.slug}</code> },
    { header: "Members", cell: ({ row }) => <span data-testid="member-count">{row.original.member_count}</span> },
    { header: "Plan", accessorKey: "plan" },
    { header: "Kind", cell: ({ row }) => <Kind row={row.original} /> },
    { header: "Created", cell: ({ row }) => <When value={row.original.created_at} style="date" /> },
  ];
}

function Kind({ row }: { row: OrganizationRow }) {
  if (row.is_default) return <span className="badge">default</span>;
  if (row.is_personal) return <span className="badge">personal</span>;
  return <span className="hint">team</span>;
}

export function OrganizationsScreen() {
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim());
  const pages = useCursorPages(q);
  const [openId, setOpenId] = useState<string | null>(null);
  const open = useCallback((row: OrganizationRow) => setOpenId(row.id), []);
  // Stable columns: TanStack renders each cell function as a component, so a new function
  // every render would remount the row buttons (and lose the focus the drawer gives back).
  const tableColumns = useMemo(() => columns(open), [open]);

  const list = useQuery({
    queryKey: orgKeys.list({ q, cursor: pages.cursor }),
    queryFn: async () =>
      unwrap(await api.admin.GET("/admin/orgs", { params: { query: { q: q || undefined, cursor: pages.cursor, page_size: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  useToastOnError(list.error);

  return (
    <section className="organizations-screen" aria-labelledby="organizations">
      <h2 id="organizations">Organizations</h2>
      <CreateOrganizationForm />
      <div className="row org-search">
        <Field id="org-search" label="Search">
          {(aria) => <input {...aria} type="search" maxLength={100} placeholder="name or slug" value={search} onChange={(e) => setSearch(e.target.value)} />}
        </Field>
        {list.isFetching && <span className="hint" role="status">Loading…</span>}
      </div>
      {list.isError && <p role="alert">Could not load the organizations: {messageOf(list.error)}</p>}
      {list.data && (
        <>
          <DataTable label="Organizations" columns={tableColumns} rows={list.data.organizations} rowId={(o) => o.id} empty={q ? `No organization matches “${q}”.` : "No organizations."} />
          <Pager label="Organization pages" page={pages.page} nextCursor={list.data.next_cursor} onPrevious={pages.previous} onNext={() => pages.next(list.data.next_cursor)} />
        </>
      )}
      {openId && <OrganizationDrawer id={openId} onClose={() => setOpenId(null)} />}
    </section>
  );
}
