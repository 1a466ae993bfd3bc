// Cursor pagination as the API does it: an opaque next_cursor per page. The console keeps
// the cursors of the pages it came through, so Previous goes back without a server cursor.
import { useState } from "react";

export function useCursorPages(resetOn: unknown) {
  // The cursors belong to one set of filters: when the filters change, the pages start over
  // in the same render, so no request ever pairs the new filters with an old cursor (which
  // the API refuses: a cursor is bound to its filters).
  const key = JSON.stringify(resetOn);
  const [state, setState] = useState<{ key: string; cursors: Array<string | undefined> }>({ key, cursors: [undefined] });
  const cursors = state.key === key ? state.cursors : [undefined];
  const update = (change: (c: Array<string | undefined>) => Array<string | undefined>) =>
    setState((s) => ({ key, cursors: change(s.key === key ? s.cursors : [undefined]) }));
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    previous: () => update((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    next: (cursor: string | null | undefined) => cursor && update((c) => [...c, cursor]),
  };
}

export function Pager(props: { label: string; page: number; nextCursor: string | null | undefined; onPrevious: () => void; onNext: () => void }) {
  return (
    <nav className="row" aria-label={props.label}>
      <button type="button" disabled={props.page === 1} onClick={props.onPrevious}>
        Previous
      </button>
      <span>Page {props.page}</span>
      <button type="button" disabled={!props.nextCursor} onClick={props.onNext}>
        Next
      </button>
    </nav>
  );
}
