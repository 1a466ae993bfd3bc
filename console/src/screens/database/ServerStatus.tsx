// The database server's state (GET /admin/status/db): version, migrations applied against
// those the functions ship, extensions, and the row-level security counts.
import { useQuery } from "@tanstack/react-query";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { databaseKeys } from "./keys.ts";
import { When } from "../../components/When.tsx";

export function ServerStatus() {
  const { api } = useSession();
  const status = useQuery({ queryKey: databaseKeys.status, queryFn: async () => unwrap(await api.admin.GET("/admin/status/db")) });
  useToastOnError(status.error);
  const s = status.data;
  return (
    <section className="card" aria-labelledby="server-status">
      <h3 id="server-status">Server status</h3>
      {status.isPending && <p role="status">Loading the server's status…</p>}
      {status.isError && <p role="alert">Could not load the server's status: {messageOf(status.error)}</p>}
      {s && (
        <div className="db-status" data-testid="server-status">
          <dl className="facts">
            <dt>PostgreSQL</dt>
            <dd>{s.server_version}</dd>
            <dt>Database</dt>
            <dd>
              <code>{s.database}</code>
            </dd>
            <dt>Server time</dt>
            <dd>
              <When value={s.time} />
            </dd>
            <dt>Migrations</dt>
            <dd data-testid="migrations">
              <span className={`badge ${s.migrations.current ? "success" : "danger"}`}>{s.migrations.current ? "current" : "behind"}</span> {s.migrations.applied} applied,{" "}
              {s.migrations.shipped} shipped; latest applied <code>{s.migrations.latest_applied ?? "none"}</code>
              {s.migrations.missing.length > 0 && (
                <>
                  <br />
                  Not applied (run <code>supabase db push</code>): {s.migrations.missing.map((m) => `${m.version} ${m.name}`).join(", ")}
                </>
              )}
              {s.migrations.newer_applied.length > 0 && (
                <>
                  <br />
                  Applied by a newer deployment: {s.migrations.newer_applied.join(", ")}
                </>
              )}
            </dd>
            <dt>Row-level security</dt>
            <dd data-testid="rls-summary">
              {s.rls.tables} tables: {s.rls.rls_enabled} with RLS ({s.rls.rls_forced} forced), {s.rls.protected} protected by protect_table,{" "}
              <span className={s.rls.drifted > 0 ? "danger" : undefined}>{s.rls.drifted} drifted</span>,{" "}
              <span className={s.rls.exposed_without_rls > 0 ? "danger" : undefined}>{s.rls.exposed_without_rls} exposed without RLS</span>
              {s.rls.exposed_without_rls_tables.length > 0 && <> ({s.rls.exposed_without_rls_tables.join(", ")})</>}
            </dd>
            <dt>Extensions</dt>
            <dd>
              <ul className="db-extensions">
                {s.extensions.map((x) => (
                  <li key={x.name}>
                    <code>{x.name}</code> {x.version}
                    {x.default_version && x.default_version !== x.version ? ` (${x.default_version} available)` : ""}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </div>
      )}
    </section>
  );
}
