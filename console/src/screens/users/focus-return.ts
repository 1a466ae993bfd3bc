// Radix hands focus back on close only to a Dialog.Trigger; the drawers here open from
// buttons in table rows (no Trigger), so the screen remembers the opener and refocuses it.
import { useCallback, useRef } from "react";

export function useFocusReturn() {
  const opener = useRef<HTMLElement | null>(null);
  const remember = useCallback(() => {
    if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body) opener.current = document.activeElement;
  }, []);
  const restore = useCallback(() => {
    const element = opener.current;
    opener.current = null;
    // After the dialog has unmounted and lifted aria-hidden from the rest of the page.
    setTimeout(() => element?.isConnected && element.focus(), 0);
  }, []);
  return { remember, restore };
}
