// What changed between an event's before and after, at the top level: what the drawer marks.
export type Json = unknown;

export const isObject = (value: Json): value is Record<string, Json> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Top-level keys whose values differ (present on one side only counts), sorted; null when neither side is an object. */
export function changedKeys(before: Json, after: Json): string[] | null {
  if (!isObject(before) && !isObject(after)) return null;
  const a = isObject(before) ? before : {};
  const b = isObject(after) ? after : {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}
