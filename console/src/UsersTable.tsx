// Users (users:admin): GET /admin/users with a debounced server-side search and cursor pagination.
import * as Label from "@radix-ui/react-label";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { unwrap, type Clients } from "./api.ts";
import { useNotifyError } from "./toast.tsx";

const PAGE_SIZE = 20;

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

export function UsersTable({ api }: { api: Clients }) {
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  // The cursors of the pages before this one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  useEffect(() => setCursors([undefined]), [q]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ["admin", "users", { q, cursor }],
    queryFn: async () =>
      unwrap(await api.admin.GET("/admin/users", { params: { query: { q: q || undefined, cursor, page_size: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  const notify = useNotifyError();
  useEffect(() => {
    if (page.error) notify(page.error);
  }, [page.error, notify]);
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
          <table className="grid" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Platform roles</th>
                <th scope="col">Organizations</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {page.data.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.email ?? "—"}</td>
                  <td>{u.display_name ?? "—"}</td>
                  <td>
                    <span className={`badge badge-${u.status}`}>{u.status}</span>
                  </td>
                  <td>{u.platform_roles.map((r) => r.role).join(", ") || "—"}</td>
                  <td>{u.organization_count}</td>
                  <td>{u.last_login_at ? new Date(u.last_login_at).toLocaleString() : "never"}</td>
                </tr>
              ))}
              {page.data.users.length === 0 && (
                <tr>
                  <td colSpan={6}>No users match.</td>
                </tr>
              )}
            </tbody>
          </table>
          <nav className="row" aria-label="Users pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={!page.data.next_cursor}
              onClick={() => setCursors((c) => [...c, page.data!.next_cursor ?? undefined])}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
