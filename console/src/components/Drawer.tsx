// A detail panel sliding in from the side: a Radix dialog (modal, focus trapped, Escape
// closes), full width on a phone. Opened from a row's button rather than a Dialog.Trigger,
// so it returns focus itself: to whatever had focus when it opened.
import * as Dialog from "@radix-ui/react-dialog";
import { useLayoutEffect, useRef, type ReactNode } from "react";

export function Drawer(props: { open: boolean; onOpenChange: (open: boolean) => void; title: string; description?: string; children: ReactNode }) {
  const opener = useRef<HTMLElement | null>(null);
  // A layout effect runs before Radix moves focus inside (in its passive effect): what has
  // focus now is what opened the drawer.
  useLayoutEffect(() => {
    if (props.open && document.activeElement instanceof HTMLElement) opener.current = document.activeElement;
  }, [props.open]);
  return (
    <Dialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="drawer"
          onCloseAutoFocus={(event) => {
            const target = opener.current;
            opener.current = null;
            if (target?.isConnected) {
              event.preventDefault();
              target.focus();
            }
          }}
        >
          <div className="drawer-head">
            <Dialog.Title>{props.title}</Dialog.Title>
            <Dialog.Close className="drawer-close" aria-label="Close">
              ×
            </Dialog.Close>
          </div>
          {props.description ? <Dialog.Description className="hint">{props.description}</Dialog.Description> : <Dialog.Description className="visually-hidden">Details of {props.title}</Dialog.Description>}
          {props.children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
