// Every place the console picks an organization role: the catalog's roles, highest first.
import type { SelectHTMLAttributes } from "react";
import { ORG_ROLES } from "../../catalog.ts";

export function OrgRoleSelect(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select {...props}>
      {ORG_ROLES.map((role) => (
        <option key={role} value={role}>
          {role}
        </option>
      ))}
    </select>
  );
}
