// One alert system for every error: the API's message and its debug id, in a Radix toast.
import * as Toast from "@radix-ui/react-toast";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { ApiFailure } from "../session/api.ts";

interface Notice {
  id: number;
  title: string;
  description: string;
}

const NotifyContext = createContext<(error: unknown) => void>(() => {});
export const useNotifyError = () => useContext(NotifyContext);

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const notify = useCallback((error: unknown) => {
    const notice =
      error instanceof ApiFailure
        ? { title: error.detail.message, description: `${error.detail.code} · HTTP ${error.detail.status}${error.detail.debugId ? ` · debug id ${error.detail.debugId}` : ""}` }
        : { title: error instanceof Error ? error.message : String(error), description: "" };
    setNotices((list) => [...list, { id: nextId++, ...notice }]);
  }, []);
  return (
    <NotifyContext.Provider value={notify}>
      <Toast.Provider swipeDirection="right" duration={8000}>
        {children}
        {notices.map((n) => (
          <Toast.Root
            key={n.id}
            className="toast"
            type="foreground"
            onOpenChange={(open) => !open && setNotices((list) => list.filter((x) => x.id !== n.id))}
          >
            <Toast.Title className="toast-title" data-testid="toast-title">{n.title}</Toast.Title>
            {n.description && <Toast.Description className="toast-description" data-testid="toast-description">{n.description}</Toast.Description>}
            <Toast.Close className="toast-close" aria-label="Dismiss">×</Toast.Close>
          </Toast.Root>
        ))}
        <Toast.Viewport className="toast-viewport" />
      </Toast.Provider>
    </NotifyContext.Provider>
  );
}

/** A failed query's error, shown once in the toast (a query's own inline message stays on screen too). */
export function useToastOnError(error: unknown) {
  const notify = useNotifyError();
  useEffect(() => {
    if (error) notify(error);
  }, [error, notify]);
}
