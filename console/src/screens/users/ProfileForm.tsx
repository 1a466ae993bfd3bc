// Editing a user's profile fields and plan (PATCH /admin/users/{id}): only the changed
// fields are sent; a field the API refuses shows its message on the field, and the toast
// carries the code and debug id. The plans offered are the catalog's (GET /plans).
import { useState, type FormEvent } from "react";
import { Field } from "../../components/Field.tsx";
import { useNotifyError, useToastOnError } from "../../components/toast.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { useOutcome } from "../../components/outcome.tsx";
import { messageOf } from "../../session/api.ts";
import { usePlanNames } from "./plans.ts";
import { useUpdateUser, type UpdateUserInput, type UserProfile } from "./queries.ts";

const textFields = [
  { key: "display_name", label: "Display name", max: 200 },
  { key: "company_name", label: "Company", max: 200 },
  { key: "timezone", label: "Time zone", max: 64 },
  { key: "avatar_url", label: "Avatar URL", max: 2048 },
] as const;

type TextKey = (typeof textFields)[number]["key"];
type Values = Record<TextKey, string> & { plan: string; onboarding_completed: boolean };

const valuesOf = (profile: UserProfile): Values => ({
  display_name: profile.display_name ?? "",
  company_name: profile.company_name ?? "",
  timezone: profile.timezone ?? "",
  avatar_url: profile.avatar_url ?? "",
  plan: profile.plan,
  onboarding_completed: profile.onboarding_completed,
});

export function ProfileForm(props: { id: string; profile: UserProfile }) {
  const saved = valuesOf(props.profile);
  const [values, setValues] = useState<Values>(saved);
  const update = useUpdateUser(props.id);
  const plans = usePlanNames();
  useToastOnError(plans.error);
  const notify = useNotifyError();
  const outcome = useOutcome();
  // The user's own plan stays listed even if the catalog no longer has it (or has not loaded).
  const planNames = [...new Set([...(plans.data ?? []), saved.plan])];

  const { errors, edited } = useFieldErrors(update.error);
  const edit = (key: keyof Values, next: Values) => {
    edited(key);
    outcome.clear();
    setValues(next);
  };

  const changes = (): UpdateUserInput => {
    const body: UpdateUserInput = {};
    for (const { key } of textFields) {
      if (values[key] !== saved[key]) body[key] = values[key].trim() === "" ? null : values[key];
    }
    if (values.plan !== saved.plan) body.plan = values.plan;
    if (values.onboarding_completed !== saved.onboarding_completed) body.onboarding_completed = values.onboarding_completed;
    return body;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = changes();
    if (Object.keys(body).length === 0) return outcome.show("success", "Nothing changed.");
    update.mutate(body, {
      onSuccess: (profile) => {
        setValues(valuesOf(profile));
        outcome.show("success", "Profile saved.");
      },
      onError: (error) => {
        notify(error);
        outcome.show("error", `Not saved: ${messageOf(error)}`);
      },
    });
  };

  return (
    <form className="card" aria-labelledby="user-profile" onSubmit={submit} noValidate>
      <h3 id="user-profile">Profile</h3>
      <div className="form-grid">
        {textFields.map(({ key, label, max }) => (
          <Field key={key} id={`profile-${key}`} label={label} error={errors[key]}>
            {(aria) => <input maxLength={max} value={values[key]} onChange={(e) => edit(key, { ...values, [key]: e.target.value })} {...aria} />}
          </Field>
        ))}
        <Field id="profile-plan" label="Plan" error={errors.plan}>
          {(aria) => (
            <select value={values.plan} onChange={(e) => edit("plan", { ...values, plan: e.target.value })} {...aria}>
              {planNames.map((plan) => (
                <option key={plan} value={plan}>
                  {plan}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="form-check">
          <input type="checkbox" checked={values.onboarding_completed} onChange={(e) => edit("onboarding_completed", { ...values, onboarding_completed: e.target.checked })} /> Onboarding completed
        </label>
      </div>
      <div className="row">
        <button type="submit" disabled={update.isPending}>
          Save profile
        </button>
        {outcome.node}
      </div>
    </form>
  );
}
