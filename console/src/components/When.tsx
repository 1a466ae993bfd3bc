// Every date and time the console shows: a <time> with the machine-readable value, in the
// browser's locale. A missing value says what it means, one wording each: "never" for
// something that has not happened (a token not used, a user not signed in or not invited),
// "not yet" for a step that is due (a user's provisioning), "—" for a date not known.
export type WhenStyle = "date" | "datetime" | "time";

const formatWhen = (value: string | Date, style: WhenStyle = "datetime"): string => {
  const date = typeof value === "string" ? new Date(value) : value;
  return style === "date" ? date.toLocaleDateString() : style === "time" ? date.toLocaleTimeString() : date.toLocaleString();
};

export function When(props: { value: string | Date | null | undefined; style?: WhenStyle; missing?: "never" | "not yet" | "—" }) {
  if (props.value == null) return <>{props.missing ?? "—"}</>;
  const iso = typeof props.value === "string" ? props.value : props.value.toISOString();
  return <time dateTime={iso}>{formatWhen(props.value, props.style)}</time>;
}
