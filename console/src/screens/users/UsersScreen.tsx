// Users (users:admin): GET /admin/users with a debounced server-side search and cursor pagination.
import * as Label from "@radix-ui/react-label";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { Pager, useCursorPages, useDebounced } from "../../components/cursor-pages.tsx";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";

const PAGE_SIZE = 20;

type UserRow = components["schemas"]["UserRow"];

const columns: ColumnDef<UserRow>[] = [
  { header: "Email", cell: ({ row }) => row.original.email ?? "—" },
  { header: "Name", cell: ({ row }) => row.original.display_name ?? "—" },
  { header: "Status", cell: ({ row }) => <span className={`badge badge-${row.original.status}`}>{row.original.status}</span> },
  { header: "Platform roles", cell: ({ row }) => row.original.platform_roles.map((r) => r.role).join(", ") || "—" },
  { header: "Organizations", accessorKey: "organization_count" },
  { header: "Last sign-in", cell: ({ row }) => (row.original.last_login_at ? new Date(row.original.last_login_at).toLocaleString() : "never") },
];

export function UsersScreen() {
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const pages = useCursorPages({ q });
  const page = useQuery({
    queryKey: ["admin", "users", { q, cursor: pages.cursor }],
    queryFn: async () =>
      unwrap(await api.admin.GET("/admin/users", { params: { query: { q: q || undefined, cursor: pages.cursor, page_size: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  useToastOnError(page.error);
  return (
    <section aria-labelledby="users">
      <h2 id="users">Users</h2>
      <div className="row">
        <Label.Root htmlFor="user-search">Search</Label.Root>
        <input id="user-search" type="search" placeholder="email or name" value={search} onChange={(e) => setSearch(e.target.value)} />
        {page.isFetching && <span role="status">Loading…</span>}
      </div>
      {page.isError && <p role="alert">Could not load users: {page.error.message}</p>}
      {page.data && (
        <>
          <DataTable label="Users" columns={columns} rows={page.data.users} rowId={(u) => u.id} empty="No users match." />
          <Pager label="Users pages" page={pages.page} nextCursor={page.data.next_cursor} onPrevious={pages.previous} onNext={() => pages.next(page.data.next_cursor)} />
        </>
      )}
    </section>
  );
}
