// Name, slug and description, as the create and the edit forms both ask for them: the
// slug's hint says what the API will make of it, and the API's own field errors (a 422,
// or a 409 for a name or slug in use) sit on the field they name.
import { Field } from "../../components/Field.tsx";
import type { FieldMessages } from "../../session/api.ts";
import { slugHint } from "./slug.ts";

export interface OrganizationValues {
  name: string;
  slug: string;
  description: string;
}

export function OrganizationFields(props: {
  idPrefix: string;
  values: OrganizationValues;
  /** The new values, and the field that changed. */
  onChange: (values: OrganizationValues, field: keyof OrganizationValues) => void;
  errors: FieldMessages;
  /** Create leaves the slug optional: the API derives it from the name. */
  slugOptional?: boolean;
}) {
  const { values, errors } = props;
  const set = (key: keyof OrganizationValues) => (event: { target: { value: string } }) => props.onChange({ ...values, [key]: event.target.value }, key);
  const derived = props.slugOptional && values.slug.trim() === "";
  const hint = slugHint(derived ? values.name : values.slug);
  const slugText = derived ? (values.name.trim() ? `Left empty, it is derived from the name. ${hint.text}` : "Left empty, it is derived from the name.") : hint.text;
  return (
    <div className="org-fields">
      <Field id={`${props.idPrefix}-name`} label="Name" error={errors.name}>
        {(aria) => <input {...aria} type="text" autoComplete="off" required maxLength={100} value={values.name} onChange={set("name")} />}
      </Field>
      <Field id={`${props.idPrefix}-slug`} label={props.slugOptional ? "Slug (optional)" : "Slug"} error={errors.slug} hint={slugText}>
        {(aria) => <input {...aria} type="text" autoComplete="off" required={!props.slugOptional} maxLength={100} value={values.slug} onChange={set("slug")} />}
      </Field>
      <Field id={`${props.idPrefix}-description`} label="Description" error={errors.description}>
        {(aria) => <textarea {...aria} rows={2} maxLength={1000} value={values.description} onChange={set("description")} />}
      </Field>
    </div>
  );
}
