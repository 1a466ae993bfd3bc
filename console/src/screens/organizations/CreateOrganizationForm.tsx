// New organization (POST /admin/orgs; every user may, the caller becomes its owner).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useOutcome } from "../../components/outcome.tsx";
import { useNotifyError } from "../../components/toast.tsx";
import { useSession } from "../../session/session.tsx";
import { unwrap } from "../../session/api.ts";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { orgKeys } from "./keys.ts";
import { OrganizationFields, type OrganizationValues } from "./OrganizationFields.tsx";

const empty: OrganizationValues = { name: "", slug: "", description: "" };

export function CreateOrganizationForm() {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);
  const outcome = useOutcome();

  const create = useMutation({
    mutationFn: async (input: OrganizationValues) =>
      unwrap(
        await api.admin.POST("/admin/orgs", {
          body: { name: input.name.trim(), slug: input.slug.trim() || undefined, description: input.description.trim() || undefined },
        }),
      ),
    onSuccess: (org) => {
      outcome.show("success", `Created ${org.name} (${org.slug}).`);
      setValues(empty);
      // The caller is its owner now: GET /me lists the membership that lets them manage it.
      void queryClient.invalidateQueries({ queryKey: orgKeys.me });
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
    },
    onError: notify,
  });
  const { errors, edited } = useFieldErrors(create.error);

  const change = (next: OrganizationValues, field: keyof OrganizationValues) => {
    edited(field);
    outcome.clear();
    setValues(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(values);
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-organization" noValidate>
      <h3 id="new-organization">New organization</h3>
      <OrganizationFields idPrefix="new-org" values={values} onChange={change} errors={errors} slugOptional />
      <div className="row">
        <button type="submit" disabled={create.isPending}>
          Create organization
        </button>
        {outcome.node}
      </div>
    </form>
  );
}
