// New organization (POST /admin/orgs; every user may, the caller becomes its owner).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNotifyError } from "../../components/toast.tsx";
import { useSession } from "../../session/session.tsx";
import { fieldMessages, unwrap, type FieldMessages } from "../../session/api.ts";
import { OrganizationFields, type OrganizationValues } from "./OrganizationFields.tsx";

const empty: OrganizationValues = { name: "", slug: "", description: "" };

export function CreateOrganizationForm() {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);
  const [errors, setErrors] = useState<FieldMessages>({});
  const [created, setCreated] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: async (input: OrganizationValues) =>
      unwrap(
        await api.admin.POST("/admin/orgs", {
          body: { name: input.name.trim(), slug: input.slug.trim() || undefined, description: input.description.trim() || undefined },
        }),
      ),
    onSuccess: (org) => {
      setCreated(`Created ${org.name} (${org.slug}).`);
      setValues(empty);
      // The caller is its owner now: GET /me lists the membership that lets them manage it.
      void queryClient.invalidateQueries({ queryKey: ["me"] });
      void queryClient.invalidateQueries({ queryKey: ["admin", "orgs"] });
    },
    onError: (error) => {
      setErrors(fieldMessages(error));
      notify(error);
    },
  });

  const change = (next: OrganizationValues) => {
    // An error the API gave for a field no longer holds once that field changes.
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([field]) => next[field as keyof OrganizationValues] === values[field as keyof OrganizationValues])));
    setCreated(null);
    setValues(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
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
        <span role="status" className="success">
          {created}
        </span>
      </div>
    </form>
  );
}
