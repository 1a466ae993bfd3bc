// The drawer's read-only cards: memberships, quota usage, provisioning state and the
// recent audit events by or about the user.
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { When } from "../../components/When.tsx";
import type { UserDetail } from "./queries.ts";

type Membership = UserDetail["memberships"][number];
type AuditEvent = UserDetail["recent_audit_events"][number];

const membershipColumns: ColumnDef<Membership>[] = [
  { header: "Organization", cell: ({ row }) => `${row.original.name} (${row.original.slug})` },
  { header: "Role", accessorKey: "role" },
  {
    header: "Kind",
    cell: ({ row }) => [row.original.is_personal && "personal", row.original.is_default && "default"].filter(Boolean).join(", ") || "shared",
  },
  { header: "Since", cell: ({ row }) => <When value={row.original.since} /> },
];

export function MembershipsCard({ user }: { user: UserDetail }) {
  return (
    <section className="card" aria-labelledby="user-memberships">
      <h3 id="user-memberships">Memberships</h3>
      <DataTable label="Memberships" columns={membershipColumns} rows={user.memberships} rowId={(m) => m.organization_id} empty="No memberships." />
    </section>
  );
}

export function QuotaCard({ user }: { user: UserDetail }) {
  return (
    <section className="card" aria-labelledby="user-quota">
      <h3 id="user-quota">Quota usage</h3>
      {user.quota_usage ? <QuotaFacts usage={user.quota_usage} /> : <p className="hint">No quota usage: the user has no profile yet.</p>}
    </section>
  );
}

function QuotaFacts({ usage: { plan, ...limits } }: { usage: NonNullable<UserDetail["quota_usage"]> }) {
  return (
    <dl className="facts" data-testid="quota-usage">
      <dt>Plan</dt>
      <dd>{plan}</dd>
      {Object.entries(limits).map(([name, limit]) => (
        <div key={name} className="contents">
          <dt>{name.replaceAll("_", " ")}</dt>
          <dd>
            {limit.used} of {limit.max ?? "unlimited"}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function ProvisioningCard({ user }: { user: UserDetail }) {
  const failure = user.provisioning.failure;
  return (
    <section className="card" aria-labelledby="user-provisioning">
      <h3 id="user-provisioning">Provisioning</h3>
      <dl className="facts">
        <dt>Provisioned</dt>
        <dd data-testid="provisioned-at"><When value={user.provisioning.provisioned_at} missing="not yet" /></dd>
        <dt>Last failure</dt>
        <dd data-testid="provisioning-failure">{failure ? <>{`${failure.error ?? "no message"} (SQLSTATE ${failure.sqlstate ?? "none"}, ${failure.attempts} attempts, last `}<When value={failure.last_failed_at} />)</> : "none"}</dd>
        {user.auth && (
          <>
            <dt>Invited</dt>
            <dd><When value={user.auth.invited_at} missing="never" /></dd>
            <dt>Email confirmed</dt>
            <dd><When value={user.auth.email_confirmed_at} missing="never" /></dd>
          </>
        )}
      </dl>
    </section>
  );
}

function eventColumns(userId: string): ColumnDef<AuditEvent>[] {
  return [
    { header: "Time", cell: ({ row }) => <When value={row.original.occurred_at} /> },
    { header: "Action", cell: ({ row }) => <code>{row.original.action}</code> },
    { header: "Outcome", accessorKey: "outcome" },
    { header: "By", cell: ({ row }) => (row.original.actor_id === userId ? "this user" : row.original.actor_type) },
  ];
}

export function ActivityCard({ user, userId }: { user: UserDetail; userId: string }) {
  return (
    <section className="card" aria-labelledby="user-activity">
      <h3 id="user-activity">Recent audit events</h3>
      <DataTable label="Recent audit events" columns={eventColumns(userId)} rows={user.recent_audit_events} rowId={(e) => String(e.id)} empty="No events yet." />
    </section>
  );
}
