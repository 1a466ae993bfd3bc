// Editing a user's profile fields and plan (PATCH /admin/users/{id}): only the changed
// fields are sent; a field the API refuses shows its message on the field, and the toast
// carries the code and debug id.
import * as Label from "@radix-ui/react-label";
import { useState, type FormEvent } from "react";
import { useNotifyError } from "../../components/toast.tsx";
import { useFlash } from "./flash.tsx";
import { fieldError } from "../../session/api.ts";
import { useUpdateUser, type UpdateUserInput } from "./queries.ts";

const textFields = [
  { key: "display_name", label: "Display name", max: 200 },
  { key: "company_name", label: "Company", max: 200 },
  { key: "timezone", label: "Time zone", max: 64 },
  { key: "avatar_url", label: "Avatar URL", max: 2048 },
  { key: "plan", label: "Plan", max: 63 },
] as const;

type TextKey = (typeof textFields)[number]["key"];
type Values = Record<TextKey, string> & { onboarding_completed: boolean };

const valuesOf = (profile: Record<string, unknown>): Values => ({
  ...(Object.fromEntries(textFields.map((f) => [f.key, typeof profile[f.key] === "string" ? profile[f.key] : ""])) as Record<TextKey, string>),
  onboarding_completed: profile.onboarding_completed === true,
});

export function ProfileForm(props: { id: string; profile: Record<string, unknown> }) {
  const saved = valuesOf(props.profile);
  const [values, setValues] = useState<Values>(saved);
  const update = useUpdateUser(props.id);
  const notify = useNotifyError();
  const flash = useFlash();

  const changes = (): UpdateUserInput => {
    const body: UpdateUserInput = {};
    for (const { key } of textFields) {
      if (values[key] === saved[key]) continue;
      if (key === "plan") body.plan = values.plan.trim();
      else body[key] = values[key].trim() === "" ? null : values[key];
    }
    if (values.onboarding_completed !== saved.onboarding_completed) body.onboarding_completed = values.onboarding_completed;
    return body;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = changes();
    if (Object.keys(body).length === 0) return flash.show("success", "Nothing changed.");
    update.mutate(body, {
      onSuccess: (profile) => {
        setValues(valuesOf(profile));
        flash.show("success", "Profile saved.");
      },
      onError: (error) => {
        notify(error);
        flash.show("error", `Not saved: ${error.message}`);
      },
    });
  };

  return (
    <form className="card" aria-labelledby="user-profile" onSubmit={submit} noValidate>
      <h3 id="user-profile">Profile</h3>
      <div className="form-grid">
        {textFields.map(({ key, label, max }) => {
          const problem = fieldError(update.error, key);
          return (
            <div key={key} className="form-field">
              <Label.Root htmlFor={`profile-${key}`}>{label}</Label.Root>
              <input
                id={`profile-${key}`}
                maxLength={max}
                list={key === "plan" ? "plan-names" : undefined}
                value={values[key]}
                onChange={(e) => setValues({ ...values, [key]: e.target.value })}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `profile-${key}-error` : undefined}
              />
              {problem && (
                <span id={`profile-${key}-error`} className="field-error">
                  {problem}
                </span>
              )}
            </div>
          );
        })}
        <label className="form-check">
          <input type="checkbox" checked={values.onboarding_completed} onChange={(e) => setValues({ ...values, onboarding_completed: e.target.checked })} /> Onboarding completed
        </label>
      </div>
      <datalist id="plan-names">
        {["free", "pro", "enterprise"].map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <div className="row">
        <button type="submit" disabled={update.isPending}>
          Save profile
        </button>
        {flash.node}
      </div>
    </form>
  );
}
