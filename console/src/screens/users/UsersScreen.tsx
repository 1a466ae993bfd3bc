// Users (users:admin): GET /admin/users filtered by the server (search, platform role,
// organization, status) with cursor pages that restart when a filter changes; each row
// opens the user's drawer and disables or enables them (optimistically, status.tsx).
import { useCallback, useMemo, useState } from "react";
import { Pager, useCursorPages } from "../../components/cursor-pages.tsx";
import { useDebounced } from "../../components/debounce.ts";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf } from "../../session/api.ts";
import { CreateUserDrawer } from "./CreateUserDrawer.tsx";
import { PAGE_SIZE } from "../../components/paging.ts";
import { When } from "../../components/When.tsx";
import { useUserPage, type UserFilters as Filters, type UserRow } from "./queries.ts";
import { UserDrawer } from "./UserDrawer.tsx";
import { DisableButton, StatusBadge } from "./status.tsx";
import { noFilters, UserFilters, type FilterInputs } from "./UserFilters.tsx";
import "./users.css";

function columns(open: (id: string) => void): ColumnDef<UserRow>[] {
  return [
    {
      header: "Email",
      cell: ({ row }) => (
        <button type="button" className="link-button" aria-label={`Open ${row.original.email ?? row.original.id}`} onClick={() => open(row.original.id)}>
          {row.original.email ?? "—"}
        </button>
      ),
    },
    { header: "Name", cell: ({ row }) => row.original.display_name ?? "—" },
    { header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    {
      header: "Platform roles",
      cell: ({ row }) =>
        row.original.platform_roles.length ? (
          <span className="role-badges">
            {row.original.platform_roles.map((r) => (
              <span key={r.role} className="badge badge-role" title={`source: ${r.source}`}>
                {r.role}
              </span>
            ))}
          </span>
        ) : (
          "—"
        ),
    },
    { header: "Organizations", accessorKey: "organization_count" },
    { header: "Last sign-in", cell: ({ row }) => <When value={row.original.last_login_at} missing="never" /> },
    {
      id: "actions",
      header: () => <span className="visually-hidden">Actions</span>,
      cell: ({ row }) => <DisableButton user={row.original} />,
    },
  ];
}

export function UsersScreen() {
  const [inputs, setInputs] = useState<FilterInputs>(noFilters);
  const q = useDebounced(inputs.search.trim());
  const role = useDebounced(inputs.role.trim().toLowerCase());
  const filters: Filters = { q: q || undefined, role: role || undefined, org: inputs.org || undefined, status: inputs.status || undefined };
  const pages = useCursorPages(filters);
  const page = useUserPage(filters, pages.cursor, PAGE_SIZE);
  useToastOnError(page.error);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const openUser = useCallback((id: string) => setOpenId(id), []);
  // Stable column definitions: new cell renderers on every render would remount each row's
  // buttons, and the drawer could not hand focus back to the one that opened it.
  const tableColumns = useMemo(() => columns(openUser), [openUser]);

  return (
    <section aria-labelledby="users">
      <div className="users-head">
        <h2 id="users">Users</h2>
        <button type="button" onClick={() => setCreating(true)}>
          Create or invite a user
        </button>
      </div>
      <UserFilters value={inputs} onChange={setInputs} />
      <div className="row">{page.isFetching && <span role="status">Loading…</span>}</div>
      {page.isError && <p role="alert">Could not load users: {messageOf(page.error)}</p>}
      {page.data && (
        <>
          <div className="users-table">
            <DataTable label="Users" columns={tableColumns} rows={page.data.users} rowId={(u) => u.id} empty="No users match." />
          </div>
          <Pager label="Users pages" page={pages.page} nextCursor={page.data.next_cursor} onPrevious={pages.previous} onNext={() => pages.next(page.data.next_cursor)} />
        </>
      )}
      <UserDrawer userId={openId} onClose={() => setOpenId(null)} />
      <CreateUserDrawer
        open={creating}
        onOpenChange={setCreating}
        onCreated={(id) => {
          // The new user's drawer takes over.
          setCreating(false);
          setOpenId(id);
        }}
      />
    </section>
  );
}
