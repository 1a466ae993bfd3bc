// Audit (platform audit:read): the hash chain's verification, and the event list
// (GET /admin/audit) filtered by actor, action, organization, target and time range, paged
// by cursor, each event opening in a drawer with its before and after.
import { useCallback, useState } from "react";
import { AuditEventDrawer, type AuditEvent } from "./AuditEventDrawer.tsx";
import { AuditEventList } from "./AuditEventList.tsx";
import { AuditFilters } from "./AuditFilters.tsx";
import { ChainVerification } from "./ChainVerification.tsx";
import { emptyDraft, type AuditFilterDraft, type AuditQuery } from "./filters.ts";
import "./audit.css";

export function AuditScreen() {
  const [draft, setDraft] = useState<AuditFilterDraft>(emptyDraft);
  const [query, setQuery] = useState<AuditQuery>({});
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const openEvent = useCallback((event: AuditEvent) => setOpen(event), []);
  const filterActor = (actor: string) => {
    setOpen(null);
    setDraft({ ...emptyDraft, actor });
    setQuery({ actor });
  };
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit</h2>
      <ChainVerification />
      <AuditFilters draft={draft} onDraft={setDraft} onApply={setQuery} />
      {/* Keyed by the filters: new filters start again at page 1 (a cursor belongs to the filters it was issued for). */}
      <AuditEventList key={JSON.stringify(query)} query={query} onOpen={openEvent} />
      <AuditEventDrawer event={open} onClose={() => setOpen(null)} onFilterActor={filterActor} />
    </section>
  );
}
