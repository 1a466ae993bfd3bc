// One audit event in the drawer: who did what to which target, where and when, and the
// state before and after the change.
import type { components } from "../../../../client/types/admin.ts";
import { Drawer } from "../../components/Drawer.tsx";
import { BeforeAfter } from "./BeforeAfter.tsx";
import { When } from "../../components/When.tsx";

export type AuditEvent = components["schemas"]["AuditEvent"];

export function AuditEventDrawer(props: { event: AuditEvent | null; onClose: () => void; onFilterActor: (actorId: string) => void }) {
  const e = props.event;
  return (
    <Drawer open={e !== null} onOpenChange={(open) => !open && props.onClose()} title={e ? `Event ${e.id}: ${e.action}` : "Event"}>
      {e && (
        <>
          <dl className="facts" data-testid="audit-event-facts">
            <dt>Time</dt>
            <dd>
              <When value={e.occurred_at} /> <span className="hint">({e.occurred_at})</span>
            </dd>
            <dt>Action</dt>
            <dd>
              <code>{e.action}</code> <Outcome outcome={e.outcome} />
            </dd>
            <dt>Actor</dt>
            <dd>
              {e.actor_type}
              {e.actor_id && (
                <>
                  {" "}
                  <code className="audit-id">{e.actor_id}</code>{" "}
                  <button type="button" onClick={() => props.onFilterActor(e.actor_id!)}>
                    Show this actor's events
                  </button>
                </>
              )}
            </dd>
            <dt>Target</dt>
            <dd>{e.target_type || e.target_id ? <>{e.target_type ?? "—"} <code className="audit-id">{e.target_id ?? ""}</code></> : "—"}</dd>
            <dt>Organization</dt>
            <dd>{e.organization_id ? <code className="audit-id">{e.organization_id}</code> : "—"}</dd>
            <dt>Request (debug id)</dt>
            <dd>{e.request_id ? <code className="audit-id">{e.request_id}</code> : "—"}</dd>
            <dt>Client</dt>
            <dd>{[e.ip, e.user_agent].filter(Boolean).join(" · ") || "—"}</dd>
            <dt>Hash</dt>
            <dd>
              <code className="audit-id">{e.hash}</code>
            </dd>
          </dl>
          <section className="card" aria-labelledby="audit-before-after">
            <h3 id="audit-before-after">Before and after</h3>
            <BeforeAfter before={e.before} after={e.after} />
          </section>
          {Object.keys(e.details).length > 0 && (
            <section className="card" aria-labelledby="audit-details">
              <h3 id="audit-details">Details</h3>
              <pre className="json-plain" data-testid="audit-details">{JSON.stringify(e.details, null, 2)}</pre>
            </section>
          )}
        </>
      )}
    </Drawer>
  );
}

export function Outcome({ outcome }: { outcome: AuditEvent["outcome"] }) {
  return <span className={outcome === "denied" ? "badge danger" : "badge"}>{outcome}</span>;
}
