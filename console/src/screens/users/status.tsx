// A user's status as a badge, and the button that flips it (the row and the drawer share both).
import { useSetDisabled, useTogglePending, type UserRow } from "./queries.ts";

export function StatusBadge({ status }: { status: UserRow["status"] }) {
  return <span className={`badge badge-${status}`} data-testid="user-status">{status}</span>;
}

export function DisableButton({ user }: { user: Pick<UserRow, "id" | "email" | "status"> }) {
  const toggle = useSetDisabled(user.id);
  const pending = useTogglePending(user.id);
  if (user.status === "unprovisioned") return null;
  const disable = user.status === "active";
  const verb = disable ? "Disable" : "Enable";
  // aria-disabled rather than disabled while the change is in flight: a disabled button
  // would drop the keyboard focus of the operator who just pressed it.
  return (
    <button
      type="button"
      className={disable ? "danger outlined" : "outlined"}
      aria-label={`${verb} ${user.email ?? user.id}`}
      aria-disabled={pending || undefined}
      onClick={() => pending || toggle.mutate(disable)}
    >
      {verb}
    </button>
  );
}
