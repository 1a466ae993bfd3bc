// Database (platform rls:manage): the server's status, the row-level security report of
// every exposed table, and the Enable RLS action with its streamed per-table report.
import { useQuery } from "@tanstack/react-query";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { EnableRls } from "./EnableRls.tsx";
import { databaseKeys } from "./keys.ts";
import { RlsTable } from "./RlsTable.tsx";
import { ServerStatus } from "./ServerStatus.tsx";
import "./database.css";

export function DatabaseScreen() {
  const { api } = useSession();
  const report = useQuery({ queryKey: databaseKeys.rls, queryFn: async () => unwrap(await api.admin.GET("/admin/rls")) });
  useToastOnError(report.error);
  const registered = report.data ? report.data.tables.filter((t) => t.protected).length + report.data.missing_protected_tables.length : 0;
  return (
    <section className="database-screen" aria-labelledby="database">
      <h2 id="database">Database</h2>
      <ServerStatus />
      <EnableRls registered={registered} />
      <section aria-labelledby="rls-report">
        <h3 id="rls-report">Row-level security</h3>
        {report.isPending && <p role="status">Loading the report…</p>}
        {report.isError && <p role="alert">Could not load the row-level security report: {messageOf(report.error)}</p>}
        {report.isFetching && !report.isPending && <p role="status">Refreshing…</p>}
        {report.data && <RlsTable report={report.data} />}
      </section>
    </section>
  );
}
