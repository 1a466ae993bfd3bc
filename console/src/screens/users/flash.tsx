// A short-lived outcome next to the button that caused it: success as a status, failure
// as an alert (screen readers announce both), gone after a few seconds.
import { useEffect, useState } from "react";

const SHOWN_MS = 6000;

interface Message {
  kind: "success" | "error";
  text: string;
  at: number;
}

export function useFlash() {
  const [message, setMessage] = useState<Message | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [message]);
  return {
    show: (kind: Message["kind"], text: string) => setMessage({ kind, text, at: Date.now() }),
    clear: () => setMessage(null),
    node: message && (
      <span key={message.at} role={message.kind === "success" ? "status" : "alert"} className={message.kind === "success" ? "success flash" : "field-error flash"}>
        {message.text}
      </span>
    ),
  };
}
