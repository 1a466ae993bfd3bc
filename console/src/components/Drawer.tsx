// A detail panel sliding in from the side: a Radix dialog (modal, focus trapped, Escape
// closes, focus returns to the row's button), full width on a phone.
import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

export function Drawer(props: { open: boolean; onOpenChange: (open: boolean) => void; title: string; description?: string; children: ReactNode }) {
  return (
    <Dialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="drawer">
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
