// Every form field: a label, the control, an optional hint and the error the API named for
// this field. The control gets aria-invalid and aria-describedby (error, then hint), so a
// screen reader reads the error with it; the caller renders the control (input, select,
// textarea) with the attributes it is handed.
import * as Label from "@radix-ui/react-label";
import type { ReactNode } from "react";

export interface FieldAria {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

export function Field(props: { id: string; label: ReactNode; error?: string; hint?: ReactNode; className?: string; children: (aria: FieldAria) => ReactNode }) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={props.className ? `field ${props.className}` : "field"}>
      <Label.Root htmlFor={props.id}>{props.label}</Label.Root>
      {props.children({ id: props.id, "aria-invalid": props.error ? true : undefined, "aria-describedby": describedBy })}
      {props.error && (
        <span id={errorId} className="field-error">
          {props.error}
        </span>
      )}
      {props.hint && (
        <span id={hintId} className="hint field-hint">
          {props.hint}
        </span>
      )}
    </div>
  );
}
