// Pending invitations (members:manage): the list (GET …/invitations), a new one by email
// (POST; its token shown once), revoke after a confirmation (DELETE …/{invitation_id}).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { Field } from "../../components/Field.tsx";
import { useNotifyError, useToastOnError } from "../../components/toast.tsx";
import { When } from "../../components/When.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { InvitationToken } from "./InvitationToken.tsx";
import { orgKeys } from "./keys.ts";
import { OrgRoleSelect } from "./OrgRoleSelect.tsx";

type Organization = components["schemas"]["Organization"];
type Invitation = components["schemas"]["Invitation"];

export function InvitationsCard({ organization }: { organization: Organization }) {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: orgKeys.invitations(organization.id),
    queryFn: async () => unwrap(await api.admin.GET("/admin/orgs/{id}/invitations", { params: { path: { id: organization.id } } })).invitations,
  });
  useToastOnError(invitations.error);
  const revoke = useMutation({
    mutationFn: async (invitation: Invitation) =>
      unwrap(await api.admin.DELETE("/admin/orgs/{id}/invitations/{invitation_id}", { params: { path: { id: organization.id, invitation_id: invitation.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgKeys.all }),
    onError: notify,
  });

  // Memoised: a cell function is rendered as a component, a new one would remount its open dialog.
  const revokeInvitation = revoke.mutate;
  const columns = useMemo<ColumnDef<Invitation>[]>(() => [
    { header: "Email", accessorKey: "email" },
    { header: "Role", accessorKey: "role" },
    { header: "Expires", cell: ({ row }) => <When value={row.original.expires_at} style="date" /> },
    {
      id: "actions",
      header: () => <span className="visually-hidden">Actions</span>,
      cell: ({ row }) => (
        <ConfirmDialog
          trigger={
            <button type="button" className="danger" aria-label={`Revoke the invitation of ${row.original.email} to ${organization.name}`}>
              Revoke
            </button>
          }
          title={`Revoke the invitation of ${row.original.email}?`}
          description="Its token stops working; you can invite them again later."
          confirmLabel="Revoke invitation"
          onConfirm={() => revokeInvitation(row.original)}
        />
      ),
    },
  ], [organization.name, revokeInvitation]);

  return (
    <section className="card" aria-labelledby="org-invitations">
      <h3 id="org-invitations">Invitations</h3>
      {invitations.isError && <p role="alert">Could not load the invitations: {messageOf(invitations.error)}</p>}
      {invitations.data && (
        <div className="org-compact">
          <DataTable label={`Invitations to ${organization.name}`} columns={columns} rows={invitations.data} rowId={(i) => i.id} empty="No pending invitations." />
        </div>
      )}
      <InviteForm organization={organization} />
    </section>
  );
}

function InviteForm({ organization }: { organization: Organization }) {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<string>("member");
  const [created, setCreated] = useState<{ email: string; token: string } | null>(null);

  const invite = useMutation({
    mutationFn: async (input: { email: string; role: string }) =>
      unwrap(await api.admin.POST("/admin/orgs/{id}/invitations", { params: { path: { id: organization.id } }, body: input })),
    // The token is a secret shown once: it lives in this form's state until Done, not in the
    // mutation's data (reset, and dropped from the mutation cache at once).
    gcTime: 0,
    onSuccess: (invitation) => {
      setCreated({ email: invitation.email, token: invitation.token });
      invite.reset();
      setEmail("");
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
    },
    onError: notify,
  });
  // The one input is the whole form: a refusal that names no field belongs on it too.
  const { errors, message, clear } = useFieldErrors(invite.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    invite.mutate({ email: email.trim(), role });
  };
  const id = `invite-${organization.id}`;

  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h4 id={`${id}-title`}>Invite by email</h4>
      <div className="row org-add">
        <Field id={id} label="Email to invite" error={errors.email ?? errors.role ?? message}>
          {(aria) => (
            <input
              {...aria}
              type="email"
              autoComplete="off"
              required
              maxLength={320}
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                clear();
              }}
            />
          )}
        </Field>
        <Field id={`${id}-role`} label="Invited role">
          {(aria) => <OrgRoleSelect {...aria} value={role} onChange={(e) => setRole(e.target.value)} />}
        </Field>
        <button type="submit" disabled={invite.isPending || email.trim() === ""}>
          Send invitation
        </button>
      </div>
      {created && <InvitationToken {...created} onDone={() => setCreated(null)} />}
    </form>
  );
}
