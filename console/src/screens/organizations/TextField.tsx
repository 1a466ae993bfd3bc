// A labelled input with its hint and its error: the error (the API's, naming this field)
// marks the input invalid and is what a screen reader reads with it.
import * as Label from "@radix-ui/react-label";

export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  required?: boolean;
  maxLength?: number;
  multiline?: boolean;
  type?: "text" | "email";
  autoComplete?: string;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id: props.id,
    value: props.value,
    required: props.required,
    maxLength: props.maxLength,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": describedBy,
  };
  return (
    <div className="org-field">
      <Label.Root htmlFor={props.id}>{props.label}</Label.Root>
      {props.multiline ? (
        <textarea {...common} rows={2} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type={props.type ?? "text"} autoComplete={props.autoComplete ?? "off"} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.error && (
        <span id={errorId} className="field-error">
          {props.error}
        </span>
      )}
      {props.hint && (
        <span id={hintId} className="hint org-field-hint">
          {props.hint}
        </span>
      )}
    </div>
  );
}
