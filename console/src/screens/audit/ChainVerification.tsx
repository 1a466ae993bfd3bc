// The hash chain's state (GET /admin/audit/verify): every event from the retention
// checkpoint rechecked on the server. It reads the whole log, so it runs when the screen
// opens and when the operator asks again, not on every focus.
import { useQuery } from "@tanstack/react-query";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { auditKeys } from "./keys.ts";
import { When } from "../../components/When.tsx";

export function ChainVerification() {
  const { api } = useSession();
  const verification = useQuery({
    queryKey: auditKeys.verify,
    queryFn: async () => ({ ...unwrap(await api.admin.GET("/admin/audit/verify")), checkedAt: new Date() }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  useToastOnError(verification.error);
  const v = verification.data;
  return (
    // chain-ok / chain-broken name the state (the browser test reads it); card-ok / card-danger colour it.
    <section className={`card chain ${v ? (v.ok ? "chain-ok card-ok" : "chain-broken card-danger") : ""}`} aria-labelledby="chain-title">
      <h3 id="chain-title">Hash chain</h3>
      <div role="status" data-testid="chain-status" aria-live="polite">
        {verification.isFetching ? (
          <p>Verifying the chain…</p>
        ) : v ? (
          v.ok ? (
            <p>
              <strong>Verified.</strong> {v.events_checked ?? 0} events checked
              {v.checkpoint_id != null ? ` from the retention checkpoint (event ${v.checkpoint_id})` : ""}; the newest is event {v.head?.id ?? "—"}.
            </p>
          ) : (
            <p>
              <strong className="danger">Broken at event {v.first_bad_event_id}:</strong> {v.reason}
            </p>
          )
        ) : verification.isError ? (
          <p>Could not verify: {messageOf(verification.error)}</p>
        ) : null}
      </div>
      {v && !verification.isFetching && (
        <p className="hint">
          Checked at <When value={v.checkedAt} style="time" />
          {v.ok && v.head ? (
            <>
              {" "}
              · head hash <code className="audit-id">{v.head.hash.slice(0, 16)}…</code> (export it to detect removals later)
            </>
          ) : null}
        </p>
      )}
      <button type="button" onClick={() => void verification.refetch()} disabled={verification.isFetching}>
        Verify again
      </button>
    </section>
  );
}
