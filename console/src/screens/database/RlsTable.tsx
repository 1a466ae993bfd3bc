// The row-level security report (GET /admin/rls) as a table: each exposed table's state
// (protected, drifted, exposed without RLS, …), its policies, what the API roles may do,
// and the protect_table registration Enable RLS applies again.
import type { components } from "../../../../client/types/admin.ts";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";

export type RlsReport = components["schemas"]["RlsReport"];
type RlsTableRow = RlsReport["tables"][number];

/** The one word an operator scans for, and whether it needs them. */
function tableState(t: RlsTableRow): { label: string; problem: boolean } {
  if (t.protected && t.drift && t.drift.length > 0) return { label: "drifted", problem: true };
  if (t.protected) return { label: "protected", problem: false };
  if (t.exposed_without_rls) return { label: "exposed without RLS", problem: true };
  if (t.tenantry_managed) return { label: t.rls_enabled ? "Tenantry (RLS on)" : "Tenantry (RLS off)", problem: !t.rls_enabled };
  return { label: t.rls_enabled ? "RLS on, not registered" : "RLS off, not exposed", problem: false };
}

const privileges = (list: string[]) => (list.length ? list.join(", ") : "none");

const columns: ColumnDef<RlsTableRow>[] = [
  { header: "Table", cell: ({ row }) => <code>{row.original.table}</code> },
  {
    header: "State",
    cell: ({ row }) => {
      const state = tableState(row.original);
      return (
        <>
          <span className={`badge ${state.problem ? "danger" : "success"}`} data-testid="rls-state">
            {state.label}
          </span>
          {row.original.drift && row.original.drift.length > 0 && (
            <ul className="db-drift">
              {row.original.drift.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </>
      );
    },
  },
  { header: "RLS", cell: ({ row }) => (row.original.rls_enabled ? (row.original.rls_forced ? "on, forced" : "on") : "off") },
  {
    header: "Policies",
    cell: ({ row }) =>
      row.original.policies.length === 0 ? "none" : <span title={row.original.policies.map((p) => `${p.name} (${p.command})`).join("\n")}>{row.original.policies.length}</span>,
  },
  { header: "anon may", cell: ({ row }) => privileges(row.original.grants.anon) },
  { header: "authenticated may", cell: ({ row }) => privileges(row.original.grants.authenticated) },
  {
    header: "protect_table",
    cell: ({ row }) => {
      const p = row.original.protection;
      return p ? `${p.scope} by ${p.column} (${p.read_permission} / ${p.write_permission})` : "—";
    },
  },
];

export function RlsTable({ report }: { report: RlsReport }) {
  return (
    <>
      <p className="hint">
        Schemas the Data API exposes: {report.schemas.map((s, i) => <code key={s}>{i > 0 ? ", " : ""}{s}</code>)}.
      </p>
      {report.missing_protected_tables.length > 0 && (
        <p className="danger">Registered with protect_table but gone: {report.missing_protected_tables.join(", ")}</p>
      )}
      <DataTable label="Row-level security" columns={columns} rows={report.tables} rowId={(t) => t.table} empty="No tables in the exposed schemas." />
    </>
  );
}
