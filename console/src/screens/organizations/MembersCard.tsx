// Members (members:read to see them, members:manage to change them): add by user id or
// email (POST …/members), change a role (PATCH …/members/{user_id}), remove after a
// confirmation (DELETE). The API's refusals — the last owner, a rank above yours — show
// here and in the toast.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useMemo, useState, type FormEvent } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { Field } from "../../components/Field.tsx";
import { useOutcome } from "../../components/outcome.tsx";
import { When } from "../../components/When.tsx";
import { useNotifyError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { InvitationToken, type Invited } from "./InvitationToken.tsx";
import { orgKeys } from "./keys.ts";
import { useOrgCan } from "./permissions.ts";
import { OrgRoleSelect } from "./OrgRoleSelect.tsx";

type Organization = components["schemas"]["Organization"];
type Member = components["schemas"]["Member"];

const who = (m: Member) => m.email ?? m.display_name ?? m.user_id;

// TanStack renders each cell function as a component: the columns stay the same functions
// (a new one would remount the row, closing its open dialog), and read what changes from here.
interface MemberActions {
  organization: Organization;
  shownRole: (member: Member) => string;
  changing: boolean;
  changeRole: (member: Member, role: string) => void;
  remove: (member: Member) => void;
}
const MemberActionsContext = createContext<MemberActions | null>(null);
const useMemberActions = () => useContext(MemberActionsContext)!;

function memberColumns(manage: boolean): ColumnDef<Member>[] {
  const columns: ColumnDef<Member>[] = [
    { header: "Member", cell: ({ row }) => who(row.original) },
    { header: "Role", cell: ({ row }) => (manage ? <RoleSelect member={row.original} /> : row.original.role) },
    { header: "Since", cell: ({ row }) => <When value={row.original.since} style="date" /> },
  ];
  if (manage) columns.push({ id: "actions", header: () => <span className="visually-hidden">Actions</span>, cell: ({ row }) => <RemoveMember member={row.original} /> });
  return columns;
}

function RoleSelect({ member }: { member: Member }) {
  const actions = useMemberActions();
  return (
    <OrgRoleSelect
      aria-label={`Role of ${who(member)} in ${actions.organization.name}`}
      value={actions.shownRole(member)}
      disabled={actions.changing}
      onChange={(e) => actions.changeRole(member, e.target.value)}
    />
  );
}

function RemoveMember({ member }: { member: Member }) {
  const actions = useMemberActions();
  const name = actions.organization.name;
  return (
    <ConfirmDialog
      trigger={
        <button type="button" className="danger" aria-label={`Remove ${who(member)} from ${name}`}>
          Remove
        </button>
      }
      title={`Remove ${who(member)}?`}
      description={`They lose every permission their role gave them in ${name}.`}
      confirmLabel="Remove member"
      onConfirm={() => actions.remove(member)}
    />
  );
}

export function MembersCard({ organization, members }: { organization: Organization; members: Member[] }) {
  const { api } = useSession();
  const may = useOrgCan(organization.id);
  const manage = may("members:manage");
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKeys.all });

  // One problem line for both actions: starting one drops the other's old refusal.
  const changeRole = useMutation({
    mutationFn: async (input: { member: Member; role: string }) =>
      unwrap(await api.admin.PATCH("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: organization.id, user_id: input.member.user_id } }, body: { role: input.role } })),
    onMutate: (): void => remove.reset(),
    onSuccess: refresh,
    onError: notify,
  });
  const remove = useMutation({
    mutationFn: async (member: Member) =>
      unwrap(await api.admin.DELETE("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: organization.id, user_id: member.user_id } } })),
    onMutate: (): void => changeRole.reset(),
    onSuccess: refresh,
    onError: notify,
  });
  const problem = changeRole.error ?? remove.error;

  const actions: MemberActions = {
    organization,
    shownRole: (m) => (changeRole.isPending && changeRole.variables.member.user_id === m.user_id ? changeRole.variables.role : m.role),
    changing: changeRole.isPending,
    changeRole: (member, role) => changeRole.mutate({ member, role }),
    remove: (member) => remove.mutate(member),
  };
  const columns = useMemo(() => memberColumns(manage), [manage]);

  return (
    <section className="card" aria-labelledby="org-members">
      <h3 id="org-members">Members</h3>
      {may("members:read") ? (
        <MemberActionsContext.Provider value={actions}>
          <div className="org-compact">
            <DataTable label={`Members of ${organization.name}`} columns={columns} rows={members} rowId={(m) => m.user_id} empty="No members." />
          </div>
        </MemberActionsContext.Provider>
      ) : (
        <p className="hint">Seeing the members needs members:read.</p>
      )}
      {problem ? (
        <p role="alert" className="field-error" data-testid="member-problem">
          {messageOf(problem)}
        </p>
      ) : null}
      {manage && <AddMemberForm organization={organization} />}
    </section>
  );
}


function AddMemberForm({ organization }: { organization: Organization }) {
  const { api, can } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState("");
  const [role, setRole] = useState<string>("member");
  const outcome = useOutcome();
  const [invited, setInvited] = useState<Invited | null>(null);

  const add = useMutation({
    mutationFn: async (input: { target: string; role: string }) => {
      const body = input.target.includes("@") ? { email: input.target, role: input.role } : { user_id: input.target, role: input.role };
      return unwrap(await api.admin.POST("/admin/orgs/{id}/members", { params: { path: { id: organization.id } }, body }));
    },
    // An invitation's token is a secret shown once: it lives in this form's state until Done,
    // not in the mutation's data (reset, and dropped from the mutation cache at once).
    gcTime: 0,
    onSuccess: (result, input) => {
      // Without users:admin the API turns an email into an invitation, with its token.
      if ("token" in result) setInvited({ email: result.email, token: result.token });
      else outcome.show("success", `Added ${input.target} as ${result.role}.`);
      add.reset();
      setTarget("");
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
    },
    onError: notify,
  });
  // The one input is the whole form: a refusal that names no field (no such user, already a member) belongs on it too.
  const { errors, message, clear } = useFieldErrors(add.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setInvited(null);
    outcome.clear();
    add.mutate({ target: target.trim(), role });
  };
  const id = `add-member-${organization.id}`;

  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h4 id={`${id}-title`}>Add a member</h4>
      <div className="row org-add">
        <Field
          id={id}
          label="User id or email"
          error={errors.user_id ?? errors.email ?? errors.role ?? message}
          hint={can("users:admin") ? "A user id, or the verified email of an existing user." : "An email becomes an invitation (adding users directly needs users:admin)."}
        >
          {(aria) => (
            <input
              {...aria}
              type="text"
              autoComplete="off"
              required
              maxLength={320}
              value={target}
              onChange={(e) => {
                setTarget(e.target.value);
                clear();
                outcome.clear();
              }}
            />
          )}
        </Field>
        <Field id={`${id}-role`} label="Role">
          {(aria) => <OrgRoleSelect {...aria} value={role} onChange={(e) => setRole(e.target.value)} />}
        </Field>
        <button type="submit" disabled={add.isPending || target.trim() === ""}>
          Add member
        </button>
      </div>
      <p>{outcome.node}</p>
      {invited && <InvitationToken {...invited} onDone={() => setInvited(null)} />}
    </form>
  );
}
