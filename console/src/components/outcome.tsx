// A save's outcome next to the button that caused it, the one way every form shows it:
// success as a status (a live region that is always there, so screen readers announce
// what lands in it), failure as an alert. It stays until it no longer holds — the form
// is edited or another attempt starts — rather than on a timer, which could take it away
// before a slow reader or a screen reader got to it.
import { useState } from "react";

interface Outcome {
  kind: "success" | "error";
  text: string;
  /** Each showing is a new node: the same text shown again (another save) is announced again. */
  at: number;
}

let nextAt = 1;

export function useOutcome() {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return {
    show: (kind: Outcome["kind"], text: string) => setOutcome({ kind, text, at: nextAt++ }),
    clear: () => setOutcome(null),
    node: (
      <>
        <span role="status" className="success outcome">
          {outcome?.kind === "success" && <span key={outcome.at}>{outcome.text}</span>}
        </span>
        {outcome?.kind === "error" && (
          <span key={outcome.at} role="alert" className="field-error outcome">
            {outcome.text}
          </span>
        )}
      </>
    ),
  };
}
