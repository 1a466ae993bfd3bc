// Every list in the console is a TanStack Table: columns declared once, rendered as a
// plain, labelled <table> that scrolls sideways on a narrow screen.
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useEffect, useRef, useState } from "react";

export type { ColumnDef };

export function DataTable<Row>(props: {
  /** The table's accessible name (tests and screen readers find it by this). */
  label: string;
  columns: ColumnDef<Row, any>[];
  rows: Row[];
  rowId: (row: Row) => string;
  empty: string;
}) {
  const table = useReactTable({ data: props.rows, columns: props.columns, getCoreRowModel: getCoreRowModel(), getRowId: props.rowId });
  const scrolls = useScrollsSideways();
  return (
    // A tab stop only while it scrolls: then the keyboard needs it to scroll; otherwise it would be an empty stop.
    <div ref={scrolls.ref} className="scroll-x" {...(scrolls.value ? { tabIndex: 0, role: "region", "aria-label": `${props.label} (scrolls sideways)` } : {})}>
      <table className="grid" aria-label={props.label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
          {props.rows.length === 0 && (
            <tr>
              <td colSpan={props.columns.length}>{props.empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Whether the element is narrower than its content, followed as either changes size. */
function useScrollsSideways() {
  const ref = useRef<HTMLDivElement>(null);
  const [value, setValue] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setValue(element.scrollWidth > element.clientWidth);
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    measure();
    return () => observer.disconnect();
  }, []);
  return { ref, value };
}
