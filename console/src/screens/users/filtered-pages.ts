// useCursorPages resets its cursors in an effect, one render after the filters change; in
// that render its cursor still belongs to the old filters, and the API refuses a cursor
// minted for other filters (400). This wrapper hands out a cursor only for the filters it came with.
import { useState } from "react";
import { useCursorPages } from "../../components/cursor-pages.tsx";

export function useFilteredPages(filters: object) {
  const key = JSON.stringify(filters);
  const pages = useCursorPages(filters);
  const [cursorKey, setCursorKey] = useState(key);
  const current = cursorKey === key;
  return {
    cursor: current ? pages.cursor : undefined,
    page: current ? pages.page : 1,
    previous: pages.previous,
    next: (cursor: string | null | undefined) => {
      setCursorKey(key);
      pages.next(cursor);
    },
  };
}
