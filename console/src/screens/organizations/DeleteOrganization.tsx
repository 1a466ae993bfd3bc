// Deleting an organization (org:delete) after a confirmation. The default organization is
// never offered; if the API refuses anyway (it became the default meanwhile), the refusal shows.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { components } from "../../../../client/types/admin.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { useNotifyError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { orgKeys } from "./keys.ts";
import { useOrgCan } from "./permissions.ts";

type Organization = components["schemas"]["Organization"];

export function DeleteOrganization({ organization, onDeleted }: { organization: Organization; onDeleted: () => void }) {
  const { api } = useSession();
  const may = useOrgCan(organization.id);
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.admin.DELETE("/admin/orgs/{id}", { params: { path: { id: organization.id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: orgKeys.detail(organization.id) });
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void queryClient.invalidateQueries({ queryKey: orgKeys.me });
      onDeleted();
    },
    onError: (error) => {
      notify(error);
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
    },
  });

  if (organization.is_default) {
    return <p className="hint card">The default organization cannot be deleted.</p>;
  }
  if (!may("org:delete")) return null;
  return (
    <section className="card card-danger" aria-labelledby="org-delete">
      <h3 id="org-delete">Delete</h3>
      <p className="hint">Deleting removes its memberships and invitations with it.</p>
      <ConfirmDialog
        trigger={
          <button type="button" className="danger" disabled={remove.isPending}>
            Delete {organization.name}
          </button>
        }
        title={`Delete ${organization.name}?`}
        description={`${organization.name} (${organization.slug}), its memberships and invitations are deleted. This cannot be undone.`}
        confirmLabel="Delete organization"
        onConfirm={() => remove.mutate()}
      />
      {remove.error && (
        <p role="alert" className="field-error">
          {messageOf(remove.error)}
        </p>
      )}
    </section>
  );
}
