// The table's filters, all applied by the server (GET /admin/users?q=&role=&org=&status=):
// search and role are typed (debounced by the screen), organization and status picked.
import * as Label from "@radix-ui/react-label";
import { OrganizationPicker } from "./OrganizationPicker.tsx";
import type { UserStatus } from "./queries.ts";

export interface FilterInputs {
  search: string;
  role: string;
  org: string;
  status: "" | UserStatus;
}

export const noFilters: FilterInputs = { search: "", role: "", org: "", status: "" };
const statuses: UserStatus[] = ["active", "disabled", "unprovisioned"];
/** The catalog's built-in platform roles, offered as suggestions; any other role name can be typed. */
export const builtInPlatformRoles = ["admin", "auditor", "reader"];

export function UserFilters(props: { value: FilterInputs; onChange: (next: FilterInputs) => void }) {
  const set = <K extends keyof FilterInputs>(key: K, value: FilterInputs[K]) => props.onChange({ ...props.value, [key]: value });
  const active = JSON.stringify(props.value) !== JSON.stringify(noFilters);
  return (
    <fieldset className="user-filters">
      <legend>Filter users</legend>
      <div className="user-filter">
        <Label.Root htmlFor="user-search">Search</Label.Root>
        <input id="user-search" type="search" placeholder="email or name" value={props.value.search} onChange={(e) => set("search", e.target.value)} />
      </div>
      <div className="user-filter">
        <Label.Root htmlFor="user-role-filter">Platform role</Label.Root>
        <input id="user-role-filter" list="platform-role-names" placeholder="any" value={props.value.role} onChange={(e) => set("role", e.target.value)} />
      </div>
      <div className="user-filter">
        <Label.Root htmlFor="user-status-filter">Status</Label.Root>
        <select id="user-status-filter" value={props.value.status} onChange={(e) => set("status", e.target.value as FilterInputs["status"])}>
          <option value="">Any status</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="user-filter-org">
        <OrganizationPicker id="user-org-filter" label="Organization" noneLabel="Any organization" value={props.value.org} onChange={(org) => set("org", org)} />
      </div>
      <RoleSuggestions id="platform-role-names" />
      <button type="button" disabled={!active} onClick={() => props.onChange(noFilters)}>
        Clear filters
      </button>
    </fieldset>
  );
}

export function RoleSuggestions({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {builtInPlatformRoles.map((r) => (
        <option key={r} value={r} />
      ))}
    </datalist>
  );
}
