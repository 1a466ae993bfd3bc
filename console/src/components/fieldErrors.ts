// A failed mutation's error as a form shows it: the messages of the fields the API named,
// and the message itself for a form whose one input is the whole request. An error stops
// showing on a field once the user edits that field (the error is about the old value),
// without copying the error into state: only what was edited since it came.
import { useState } from "react";
import { fieldMessages, messageOf, type FieldMessages } from "../session/api.ts";

interface Edits {
  /** The error these edits followed; a new error (another attempt) shows in full again. */
  of: unknown;
  fields: ReadonlySet<string>;
  all: boolean;
}

export function useFieldErrors(error: unknown): {
  errors: FieldMessages;
  message: string | undefined;
  /** This field changed: its error no longer holds. */
  edited: (field: string) => void;
  /** The whole request changed (a one-input form): none of the error holds. */
  clear: () => void;
} {
  const [edits, setEdits] = useState<Edits>({ of: null, fields: new Set(), all: false });
  const current: Edits = edits.of === error ? edits : { of: error, fields: new Set(), all: false };
  const errors = current.all ? {} : Object.fromEntries(Object.entries(fieldMessages(error)).filter(([field]) => !current.fields.has(field)));
  return {
    errors,
    message: error && !current.all && current.fields.size === 0 ? messageOf(error) : undefined,
    edited: (field) => setEdits({ ...current, fields: new Set([...current.fields, field]) }),
    clear: () => setEdits({ ...current, all: true }),
  };
}
