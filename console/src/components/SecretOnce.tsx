// A secret the API answers once (a token's, an invitation's): shown in a region of its
// own with a Copy button, and gone with Done. The caller holds it in state only; nothing
// here fetches or keeps it.
import { useState, type ReactNode } from "react";
import { useNotifyError } from "./toast.tsx";

export function SecretOnce(props: { label: string; secret: string; testId: string; copyLabel?: string; children: ReactNode; onDone: () => void }) {
  const notify = useNotifyError();
  // Which secret was copied: a new secret shown in the same place starts not copied.
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(props.secret);
    } catch (error) {
      notify(error);
    }
  };
  return (
    <div className="secret" role="region" aria-label={props.label}>
      <p>{props.children}</p>
      <div className="row">
        <code data-testid={props.testId} className="secret-value">
          {props.secret}
        </code>
        <button type="button" onClick={copy}>
          {props.copyLabel ?? "Copy secret"}
        </button>
        <span role="status">{copied === props.secret ? "Copied" : null}</span>
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
