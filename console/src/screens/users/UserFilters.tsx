// The table's filters, all applied by the server (GET /admin/users?q=&role=&org=&status=):
// search and role are typed (debounced by the screen), organization and status picked.
import { Field } from "../../components/Field.tsx";
import { OrganizationPicker } from "./OrganizationPicker.tsx";
import type { UserStatus } from "./queries.ts";
import { BUILT_IN_PLATFORM_ROLES } from "../../catalog.ts";
import { RoleNameInput } from "./RoleNameInput.tsx";

export interface FilterInputs {
  search: string;
  role: string;
  org: string;
  status: "" | UserStatus;
}

export const noFilters: FilterInputs = { search: "", role: "", org: "", status: "" };
const statuses: UserStatus[] = ["active", "disabled", "unprovisioned"];

export function UserFilters(props: { value: FilterInputs; onChange: (next: FilterInputs) => void }) {
  const set = <K extends keyof FilterInputs>(key: K, value: FilterInputs[K]) => props.onChange({ ...props.value, [key]: value });
  const active = JSON.stringify(props.value) !== JSON.stringify(noFilters);
  return (
    <fieldset className="card user-filters">
      <legend>Filter users</legend>
      <Field id="user-search" label="Search">
        {(aria) => <input type="search" placeholder="email or name" value={props.value.search} onChange={(e) => set("search", e.target.value)} {...aria} />}
      </Field>
      <Field id="user-role-filter" label="Platform role">
        {(aria) => <RoleNameInput suggestions={BUILT_IN_PLATFORM_ROLES} placeholder="any" value={props.value.role} onChange={(e) => set("role", e.target.value)} {...aria} />}
      </Field>
      <Field id="user-status-filter" label="Status">
        {(aria) => (
          <select value={props.value.status} onChange={(e) => set("status", e.target.value as FilterInputs["status"])} {...aria}>
            <option value="">Any status</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="user-filter-org">
        <OrganizationPicker id="user-org-filter" label="Organization" noneLabel="Any organization" value={props.value.org} onChange={(org) => set("org", org)} />
      </div>
      <button type="button" disabled={!active} onClick={() => props.onChange(noFilters)}>
        Clear filters
      </button>
    </fieldset>
  );
}
