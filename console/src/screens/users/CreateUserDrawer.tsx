// Creating a user (POST /admin/users): invited by email (Supabase Auth sends the link) or
// created at once with the email confirmed and a password, optionally into an organization
// with a role. The API's 409 (email in use) and 422s show on their fields.
import { useState, type FormEvent } from "react";
import { Drawer } from "../../components/Drawer.tsx";
import { Field } from "../../components/Field.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { useNotifyError } from "../../components/toast.tsx";
import { ORG_ROLES } from "../../catalog.ts";
import { OrganizationPicker } from "./OrganizationPicker.tsx";
import { useCreateUser, type CreateUserInput } from "./queries.ts";
import { RoleNameInput } from "./RoleNameInput.tsx";

interface Form {
  email: string;
  invite: boolean;
  password: string;
  displayName: string;
  organizationId: string;
  role: string;
}

/** The request's field each input fills, so editing it drops the API's error about it (invite decides whether a password is sent). */
const apiField: Record<keyof Form, string> = { email: "email", invite: "password", password: "password", displayName: "display_name", organizationId: "organization_id", role: "role" };

const blank: Form = { email: "", invite: true, password: "", displayName: "", organizationId: "", role: "member" };

export function CreateUserDrawer(props: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (id: string) => void }) {
  const [form, setForm] = useState<Form>(blank);
  const create = useCreateUser();
  const notify = useNotifyError();
  const { errors, edited } = useFieldErrors(create.error);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    edited(apiField[key]);
    setForm({ ...form, [key]: value });
  };
  const problem = (field: string) => errors[field];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: CreateUserInput = { email: form.email.trim(), invite: form.invite };
    if (!form.invite) body.password = form.password;
    if (form.displayName.trim()) body.display_name = form.displayName.trim();
    if (form.organizationId) {
      body.organization_id = form.organizationId;
      body.role = form.role.trim() || "member";
    }
    create.mutate(body, {
      onSuccess: (user) => {
        setForm(blank);
        create.reset();
        const id = user.profile?.id ?? user.auth?.id;
        if (id) props.onCreated(id);
        else props.onOpenChange(false);
      },
      onError: notify,
    });
  };

  return (
    <Drawer
      open={props.open}
      onOpenChange={(open) => {
        // A refusal belongs to the attempt: reopened, the form shows no stale field errors.
        if (!open) create.reset();
        props.onOpenChange(open);
      }}
      title="Create or invite a user" description="Invited users get an email from Supabase Auth; created users can sign in with the password at once.">
      <form onSubmit={submit} className="create-user" aria-label="Create or invite a user" noValidate>
        <Field id="new-user-email" label="Email" error={problem("email")}>
          {(aria) => <input type="email" required maxLength={320} autoComplete="off" value={form.email} onChange={(e) => set("email", e.target.value)} {...aria} />}
        </Field>
        <fieldset className="how">
          <legend>How</legend>
          <label>
            <input type="radio" name="new-user-how" checked={form.invite} onChange={() => set("invite", true)} /> Invite by email
          </label>
          <label>
            <input type="radio" name="new-user-how" checked={!form.invite} onChange={() => set("invite", false)} /> Create now with a password
          </label>
        </fieldset>
        {!form.invite && (
          <Field id="new-user-password" label="Password (8 to 72 characters)" error={problem("password")}>
            {(aria) => <input type="password" required minLength={8} maxLength={72} autoComplete="new-password" value={form.password} onChange={(e) => set("password", e.target.value)} {...aria} />}
          </Field>
        )}
        <Field id="new-user-name" label="Display name (optional)" error={problem("display_name")}>
          {(aria) => <input maxLength={200} value={form.displayName} onChange={(e) => set("displayName", e.target.value)} {...aria} />}
        </Field>
        <OrganizationPicker
          id="new-user-org"
          label="Add to organization (optional)"
          noneLabel="No organization"
          value={form.organizationId}
          onChange={(id) => set("organizationId", id)}
          error={problem("organization_id")}
        />
        {form.organizationId && (
          <Field id="new-user-role" label="Their role there" error={problem("role")}>
            {(aria) => <RoleNameInput suggestions={ORG_ROLES} value={form.role} onChange={(e) => set("role", e.target.value)} {...aria} />}
          </Field>
        )}
        <div className="row">
          <button type="submit" disabled={create.isPending}>
            {form.invite ? "Send invitation" : "Create user"}
          </button>
        </div>
      </form>
    </Drawer>
  );
}
