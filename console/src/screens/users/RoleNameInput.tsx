// A role name typed with suggestions: a text input and its own datalist. Typed rather than
// picked because the RBAC catalog is data (a deployment may add roles) and the API offers
// no list of them; the suggestions are the built-in ones (console/src/catalog.ts), and the API refuses a name that
// is not a role.
import { useId, type InputHTMLAttributes } from "react";

export function RoleNameInput({ suggestions, ...input }: Omit<InputHTMLAttributes<HTMLInputElement>, "list"> & { suggestions: readonly string[] }) {
  const listId = useId();
  return (
    <>
      <input maxLength={63} {...input} list={listId} />
      <datalist id={listId}>
        {suggestions.map((role) => (
          <option key={role} value={role} />
        ))}
      </datalist>
    </>
  );
}
