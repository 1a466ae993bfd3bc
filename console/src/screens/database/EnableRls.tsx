// Enable RLS (POST /admin/rls/apply): protect_table applied again to every registered
// table, one transaction each, the server streaming one line per table. Each line is
// shown as it arrives; at the end the report and status are read again.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { components } from "../../../../client/types/admin.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { useNotifyError } from "../../components/toast.tsx";
import { ApiFailure, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { databaseKeys } from "./keys.ts";
import { ndjsonLines } from "./ndjson.ts";

type ApplyLine = components["schemas"]["RlsApplyLine"];

export function EnableRls({ registered }: { registered: number }) {
  const { api } = useSession();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const [lines, setLines] = useState<ApplyLine[]>([]);
  const [state, setState] = useState<"idle" | "running" | "done">("idle");

  const run = async () => {
    setLines([]);
    setState("running");
    let started = false;
    try {
      const stream = unwrap(await api.admin.POST("/admin/rls/apply", { parseAs: "stream" }));
      if (!stream) throw new Error("The server sent no report");
      started = true;
      for await (const line of ndjsonLines<ApplyLine>(stream)) {
        setLines((list) => [...list, line]);
        // The caller lost rls:manage midway: the server ends the stream with this line.
        if (line.status === "refused" && line.error) {
          notify(new ApiFailure({ status: 403, code: line.error.code, message: line.error.message, debugId: line.error.debug_id }));
        }
      }
    } catch (error) {
      notify(error);
    } finally {
      setState("done");
      // A refusal before the first line changed nothing: the report on screen still holds.
      if (started) {
        void queryClient.invalidateQueries({ queryKey: databaseKeys.rls });
        void queryClient.invalidateQueries({ queryKey: databaseKeys.status });
      }
    }
  };

  return (
    <section className="card" aria-labelledby="enable-rls">
      <h3 id="enable-rls">Enable RLS</h3>
      <p className="hint">
        Applies protect_table again, with the arguments each table was registered with, to the {registered} registered tables: turns RLS on and
        recreates missing policies. Safe to repeat.
      </p>
      <ConfirmDialog
        trigger={
          <button type="button" disabled={state === "running"}>
            Enable RLS
          </button>
        }
        title="Enable RLS on every registered table?"
        description={
          <>
            Each registered table gets RLS and its standard policies back, one table at a time, audited as you. The console cannot remove them again:
            rolling back takes direct SQL.
          </>
        }
        confirmLabel="Enable RLS now"
        onConfirm={() => void run()}
      />
      {state !== "idle" && (
        <div className="db-apply">
          <p role="status" data-testid="apply-status">
            {state === "running"
              ? `Applying… ${lines.length} of ${registered} tables`
              : `Finished: ${lines.length} ${lines.length === 1 ? "table" : "tables"} reported${lines.length === 0 ? " (see the error)" : "."}`}
          </p>
          <ol className="db-apply-lines" aria-label="Enable RLS report" data-testid="apply-lines">
            {lines.map((line) => (
              <li key={line.table} data-status={line.status}>
                <code>{line.table}</code> <span className={`badge ${line.status === "applied" ? "success" : "danger"}`}>{line.status}</span> {describe(line)}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

/** protect_table's report in words: was RLS already on, which policies were created. */
function describe(line: ApplyLine): string {
  if (line.status === "missing") return "registered, but the table no longer exists";
  if (line.error) return `${line.error.message} (${line.error.code} · debug id ${line.error.debug_id})`;
  if (!line.report) return "";
  const { rls_was_enabled, policies_created, index_created } = line.report;
  const parts = [rls_was_enabled ? "RLS was already on" : "RLS turned on", policies_created.length ? `policies created: ${policies_created.join(", ")}` : "no policy missing"];
  if (index_created) parts.push("index created");
  return parts.join("; ");
}
