// Name, slug and description, as the create and the edit forms both ask for them: the
// slug's hint says what the API will make of it, and the API's own field errors (a 422,
// or a 409 for a name or slug in use) sit on the field they name.
import type { FieldMessages } from "../../session/api.ts";
import { slugHint } from "./slug.ts";
import { TextField } from "./TextField.tsx";

export interface OrganizationValues {
  name: string;
  slug: string;
  description: string;
}

export function OrganizationFields(props: {
  idPrefix: string;
  values: OrganizationValues;
  onChange: (values: OrganizationValues) => void;
  errors: FieldMessages;
  /** Create leaves the slug optional: the API derives it from the name. */
  slugOptional?: boolean;
}) {
  const { values, errors } = props;
  const set = (key: keyof OrganizationValues) => (value: string) => props.onChange({ ...values, [key]: value });
  const derived = props.slugOptional && values.slug.trim() === "";
  const hint = slugHint(derived ? values.name : values.slug);
  const slugText = derived ? (values.name.trim() ? `Left empty, it is derived from the name. ${hint.text}` : "Left empty, it is derived from the name.") : hint.text;
  return (
    <div className="org-fields">
      <TextField id={`${props.idPrefix}-name`} label="Name" required maxLength={100} value={values.name} onChange={set("name")} error={errors.name} />
      <TextField
        id={`${props.idPrefix}-slug`}
        label={props.slugOptional ? "Slug (optional)" : "Slug"}
        required={!props.slugOptional}
        maxLength={100}
        value={values.slug}
        onChange={set("slug")}
        error={errors.slug}
        hint={slugText}
      />
      <TextField id={`${props.idPrefix}-description`} label="Description" multiline maxLength={1000} value={values.description} onChange={set("description")} error={errors.description} />
    </div>
  );
}
