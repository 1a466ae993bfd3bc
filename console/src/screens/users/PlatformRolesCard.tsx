// A user's platform roles with where each came from (idp, default, jit: role sync; admin:
// an operator), granted (PUT …/roles/{role}) and revoked (DELETE, after a confirmation) here.
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { Field } from "../../components/Field.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { usePlatformRole, type UserDetail } from "./queries.ts";
import { BUILT_IN_PLATFORM_ROLES } from "../../catalog.ts";
import { When } from "../../components/When.tsx";
import { RoleNameInput } from "./RoleNameInput.tsx";

export function PlatformRolesCard(props: { id: string; email: string | null; roles: UserDetail["platform_roles"] }) {
  const { grant, revoke } = usePlatformRole(props.id);
  const [role, setRole] = useState("");
  const { errors, edited } = useFieldErrors(grant.error);
  const who = props.email ?? props.id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    grant.mutate(role.trim().toLowerCase(), { onSuccess: () => setRole("") });
  };
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
              <span className="hint">since <When value={r.created_at} style="date" /></span>{" "}
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
      <form className="inline-form" onSubmit={submit}>
        <Field id="grant-platform-role" label="Grant platform role" error={errors.role}>
          {(aria) => <RoleNameInput suggestions={BUILT_IN_PLATFORM_ROLES} required value={role} onChange={(e) => {
                edited("role");
                setRole(e.target.value);
              }} {...aria} />}
        </Field>
        <button type="submit" disabled={grant.isPending}>
          Grant
        </button>
      </form>
    </section>
  );
}
