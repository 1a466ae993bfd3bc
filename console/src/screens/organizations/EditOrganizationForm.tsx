// Rename, re-slug, describe (PATCH /admin/orgs/{id}, org:update): only the fields that
// changed are sent, and the API's field errors land on their fields.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { useOutcome } from "../../components/outcome.tsx";
import { useNotifyError } from "../../components/toast.tsx";
import { useSession } from "../../session/session.tsx";
import { unwrap } from "../../session/api.ts";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { orgKeys } from "./keys.ts";
import { OrganizationFields, type OrganizationValues } from "./OrganizationFields.tsx";

type Organization = components["schemas"]["Organization"];
type Changes = components["schemas"]["UpdateOrganizationInput"];

export function EditOrganizationForm({ organization }: { organization: Organization }) {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const saved: OrganizationValues = { name: organization.name, slug: organization.slug, description: organization.description ?? "" };
  const [values, setValues] = useState(saved);
  const outcome = useOutcome();

  const changes: Changes = {};
  if (values.name.trim() !== saved.name) changes.name = values.name.trim();
  if (values.slug.trim() !== saved.slug) changes.slug = values.slug.trim();
  if (values.description.trim() !== saved.description) changes.description = values.description.trim();
  const changed = Object.keys(changes).length > 0;

  const update = useMutation({
    mutationFn: async (body: Changes) => unwrap(await api.admin.PATCH("/admin/orgs/{id}", { params: { path: { id: organization.id } }, body })),
    onSuccess: (org) => {
      // The API normalises (a slug "Acme Corp" is saved as "acme-corp"): show what it kept.
      setValues({ name: org.name, slug: org.slug, description: org.description ?? "" });
      outcome.show("success", `Saved: ${org.name} (${org.slug}).`);
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void queryClient.invalidateQueries({ queryKey: orgKeys.me });
    },
    onError: notify,
  });
  const { errors, edited } = useFieldErrors(update.error);

  const change = (next: OrganizationValues, field: keyof OrganizationValues) => {
    edited(field);
    outcome.clear();
    setValues(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(changes);
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="edit-organization" noValidate>
      <h3 id="edit-organization">Edit</h3>
      <OrganizationFields idPrefix="edit-org" values={values} onChange={change} errors={errors} />
      <div className="row">
        <button type="submit" disabled={!changed || update.isPending}>
          Save changes
        </button>
        {outcome.node}
      </div>
    </form>
  );
}
