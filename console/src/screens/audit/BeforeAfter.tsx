// An event's before and after, side by side as readable JSON; when either is an object the
// top-level keys whose values differ (changes.ts) are marked in both and listed.
import { Fragment } from "react";
import { changedKeys, isObject, type Json } from "./changes.ts";

export function BeforeAfter({ before, after }: { before: Json; after: Json }) {
  const changed = changedKeys(before, after);
  if (before == null && after == null) return <p className="hint">This event records no before or after state.</p>;
  return (
    <>
      {changed && (
        <p data-testid="audit-changed">
          {changed.length === 0 ? "No top-level key changed." : <>Changed: {changed.map((k, i) => <Fragment key={k}>{i > 0 && ", "}<code>{k}</code></Fragment>)}</>}
        </p>
      )}
      <div className="before-after">
        <JsonDocument title="Before" testId="audit-before" value={before} changed={changed ?? []} />
        <JsonDocument title="After" testId="audit-after" value={after} changed={changed ?? []} />
      </div>
    </>
  );
}

function JsonDocument({ title, testId, value, changed }: { title: string; testId: string; value: Json; changed: string[] }) {
  return (
    <figure className="json-document">
      <figcaption>{title}</figcaption>
      <pre data-testid={testId}>{value == null ? "none" : isObject(value) ? <ObjectLines value={value} changed={changed} /> : JSON.stringify(value, null, 2)}</pre>
    </figure>
  );
}

/** An object as JSON, one top-level key at a time, so a changed key can be marked. */
function ObjectLines({ value, changed }: { value: Record<string, Json>; changed: string[] }) {
  const keys = Object.keys(value);
  if (keys.length === 0) return <>{"{}"}</>;
  return (
    <>
      {"{\n"}
      {keys.map((key, i) => {
        const line = `  ${JSON.stringify(key)}: ${JSON.stringify(value[key], null, 2).replace(/\n/g, "\n  ")}${i < keys.length - 1 ? "," : ""}`;
        return changed.includes(key) ? (
          <Fragment key={key}>
            <mark className="json-changed">{line}</mark>
            <span className="visually-hidden"> (changed)</span>
            {"\n"}
          </Fragment>
        ) : (
          <Fragment key={key}>{`${line}\n`}</Fragment>
        );
      })}
      {"}"}
    </>
  );
}
