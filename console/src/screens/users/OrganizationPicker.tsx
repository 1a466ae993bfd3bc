// Choosing an organization without loading them all: a search box (debounced, GET
// /admin/orgs?q=) narrows a plain <select> of the matches, so it works with a keyboard
// and a screen reader like any select. The chosen one stays listed while the search changes.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { useDebounced } from "../../components/debounce.ts";
import { Field } from "../../components/Field.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";

type Organization = components["schemas"]["OrganizationRow"];

const MATCHES = 25;

export function OrganizationPicker(props: {
  id: string;
  label: string;
  /** What "none chosen" means here ("Any organization", "No organization"). */
  noneLabel: string;
  value: string;
  onChange: (id: string) => void;
  /** The API's message for the organization field, if it named it. */
  error?: string;
}) {
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const [chosen, setChosen] = useState<Organization | null>(null);
  const q = useDebounced(search.trim());
  const matches = useQuery({
    queryKey: ["admin", "orgs", "picker", q],
    queryFn: async () => unwrap(await api.admin.GET("/admin/orgs", { params: { query: { q: q || undefined, page_size: MATCHES } } })).organizations,
    placeholderData: keepPreviousData,
  });
  useToastOnError(matches.error);
  const options = [...(chosen && props.value === chosen.id && !matches.data?.some((o) => o.id === chosen.id) ? [chosen] : []), ...(matches.data ?? [])];
  const choose = (id: string) => {
    setChosen(options.find((o) => o.id === id) ?? null);
    props.onChange(id);
  };
  return (
    <div className="org-picker">
      <Field id={`${props.id}-search`} label="Find organization">
        {(aria) => <input type="search" placeholder="name or slug" value={search} onChange={(e) => setSearch(e.target.value)} {...aria} />}
      </Field>
      <Field id={props.id} label={props.label} error={props.error}>
        {(aria) => (
          <select value={props.value} onChange={(e) => choose(e.target.value)} {...aria}>
            <option value="">{props.noneLabel}</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.slug})
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}
