// A user's platform roles with where each came from (idp, default, jit: role sync; admin:
// an operator), granted (PUT …/roles/{role}) and revoked (DELETE, after a confirmation) here.
import * as Label from "@radix-ui/react-label";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { fieldError } from "../../session/api.ts";
import { usePlatformRole, type UserDetail } from "./queries.ts";

export function PlatformRolesCard(props: { id: string; email: string | null; roles: UserDetail["platform_roles"] }) {
  const { grant, revoke } = usePlatformRole(props.id);
  const [role, setRole] = useState("");
  const who = props.email ?? props.id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    grant.mutate(role.trim().toLowerCase(), { onSuccess: () => setRole("") });
  };
  const problem = fieldError(grant.error, "role");
  return (
    <section className="card" aria-labelledby="user-platform-roles">
      <h3 id="user-platform-roles">Platform roles</h3>
      {props.roles.length === 0 ? (
        <p className="hint">No platform role.</p>
      ) : (
        <ul className="plain-list" aria-label="Platform roles and their source">
          {props.roles.map((r) => (
            <li key={r.role} data-testid="platform-role">
              <strong>{r.role}</strong> <span className="badge badge-source">source: {r.source}</span>{" "}
              <span className="hint">since {new Date(r.created_at).toLocaleDateString()}</span>{" "}
              <ConfirmDialog
                trigger={
                  <button type="button" className="danger outlined small" aria-label={`Revoke platform role ${r.role} from ${who}`}>
                    Revoke
                  </button>
                }
                title={`Revoke ${r.role} from ${who}?`}
                description={r.source === "admin" ? "They lose its permissions on their next request." : `It came from ${r.source}: role sync may grant it again at their next sign-in unless it is suppressed.`}
                confirmLabel="Revoke role"
                onConfirm={() => revoke.mutate(r.role)}
              />
            </li>
          ))}
        </ul>
      )}
      <form className="row" onSubmit={submit}>
        <Label.Root htmlFor="grant-platform-role">Grant platform role</Label.Root>
        <input id="grant-platform-role" required list="drawer-platform-role-names" maxLength={63} value={role} onChange={(e) => setRole(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? "grant-platform-role-error" : undefined} />
        <button type="submit" disabled={grant.isPending}>
          Grant
        </button>
        {problem && (
          <span id="grant-platform-role-error" className="field-error">
            {problem}
          </span>
        )}
      </form>
    </section>
  );
}
