// The filter form: edited freely, applied on submit (Enter in any field), so a half-typed
// id is never sent; each problem is shown on its own field.
import { useState, type FormEvent } from "react";
import { Field } from "../../components/Field.tsx";
import { emptyDraft, toQuery, type AuditFilterDraft, type AuditQuery, type FieldErrors } from "./filters.ts";

interface FieldSpec {
  key: keyof AuditFilterDraft;
  label: string;
  placeholder?: string;
  type?: "text" | "datetime-local";
}

const fields: FieldSpec[] = [
  { key: "action", label: "Action", placeholder: "user.update" },
  { key: "actor", label: "Actor (user id)", placeholder: "UUID" },
  { key: "org", label: "Organization id", placeholder: "UUID" },
  { key: "targetType", label: "Target type", placeholder: "user, organization, table…" },
  { key: "targetId", label: "Target id" },
  { key: "since", label: "From", type: "datetime-local" },
  { key: "until", label: "Until (before)", type: "datetime-local" },
];

export function AuditFilters(props: { draft: AuditFilterDraft; onDraft: (draft: AuditFilterDraft) => void; onApply: (query: AuditQuery) => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const apply = (draft: AuditFilterDraft) => {
    const checked = toQuery(draft);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length === 0) props.onApply(checked.query);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(props.draft);
  };
  const clear = () => {
    props.onDraft(emptyDraft);
    apply(emptyDraft);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="audit-filters-title" noValidate>
      <h3 id="audit-filters-title">Filters</h3>
      <div className="form-grid audit-filter-fields">
        {fields.map((f) => {
          return (
            <Field key={f.key} id={`audit-filter-${f.key}`} label={f.label} error={errors[f.key]}>
              {(aria) => (
                <input
                  {...aria}
                  type={f.type ?? "text"}
                  step={f.type === "datetime-local" ? 1 : undefined}
                  placeholder={f.placeholder}
                  value={props.draft[f.key]}
                  onChange={(e) => props.onDraft({ ...props.draft, [f.key]: e.target.value })}
                  spellCheck={false}
                  autoComplete="off"
                />
              )}
            </Field>
          );
        })}
      </div>
      <p className="hint">Times are your browser's local time; From is inclusive, Until is not.</p>
      <div className="row">
        <button type="submit">Apply filters</button>
        <button type="button" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
