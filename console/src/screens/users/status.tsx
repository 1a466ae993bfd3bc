// A user's status as a badge, and the button that flips it (the row and the drawer share both).
import type { UserRow } from "./queries.ts";

export function StatusBadge({ status }: { status: UserRow["status"] }) {
  return <span className={`badge badge-${status}`} data-testid="user-status">{status}</span>;
}

export function DisableButton({ user, onToggle }: { user: Pick<UserRow, "id" | "email" | "status">; onToggle: (user: Pick<UserRow, "id">, disabled: boolean) => void }) {
  if (user.status === "unprovisioned") return null;
  const disable = user.status === "active";
  const verb = disable ? "Disable" : "Enable";
  return (
    <button type="button" className={disable ? "danger outlined" : "outlined"} aria-label={`${verb} ${user.email ?? user.id}`} onClick={() => onToggle(user, disable)}>
      {verb}
    </button>
  );
}
