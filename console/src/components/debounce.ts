// Search boxes ask the server once the typing stops, not per keystroke.
import { useEffect, useState } from "react";

/** How long typing must pause before a search box's value is sent. */
export const SEARCH_DEBOUNCE_MS = 300;

/** The value once it has stayed unchanged for `ms` (default: SEARCH_DEBOUNCE_MS). */
export function useDebounced<T>(value: T, ms = SEARCH_DEBOUNCE_MS): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}
