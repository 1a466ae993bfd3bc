// The Role overrides card (seed 002's operator workflow): whether automatic revocations
// are paused, the roles role sync must keep (preserved) and must never grant (suppressed),
// edited inline as a draft; Save replaces them (PUT …/role-overrides), Clear all removes
// them (DELETE, confirmed). Either refreshes the drawer and shows the outcome.
import * as Switch from "@radix-ui/react-switch";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { Field } from "../../components/Field.tsx";
import { useOutcome } from "../../components/outcome.tsx";
import { useNotifyError, useToastOnError } from "../../components/toast.tsx";
import { messageOf } from "../../session/api.ts";
import { useOverridesWrites, useRoleOverrides, type OverridesDraft } from "./queries.ts";
import { BUILT_IN_PLATFORM_ROLES } from "../../catalog.ts";
import { RoleNameInput } from "./RoleNameInput.tsx";

type ListName = "preserved" | "suppressed";

const lists: Record<ListName, { title: string; hint: string }> = {
  preserved: { title: "Preserved roles", hint: "Never revoked by role sync while the user holds them, even when the identity provider's groups no longer grant them. Preserving grants nothing." },
  suppressed: { title: "Suppressed roles", hint: "Never granted by role sync; removed now if role sync granted them." },
};

export function RoleOverridesCard(props: { id: string; email: string | null }) {
  const stored = useRoleOverrides(props.id);
  useToastOnError(stored.error);
  const { save, clear } = useOverridesWrites(props.id);
  const notify = useNotifyError();
  const outcome = useOutcome();
  // null: showing what is stored; otherwise the operator's unsaved edits.
  const [draft, setDraft] = useState<OverridesDraft | null>(null);
  if (!stored.data) return <section className="card" aria-label="Role overrides">{stored.isError ? <p role="alert">Could not load the role overrides: {messageOf(stored.error)}</p> : <p>Loading role overrides…</p>}</section>;

  const current: OverridesDraft = draft ?? { paused: stored.data.paused, preserved: stored.data.preserved, suppressed: stored.data.suppressed };
  const edit = (next: Partial<OverridesDraft>) => {
    outcome.clear();
    setDraft({ ...current, ...next });
  };
  const failed = (error: Error) => {
    notify(error);
    outcome.show("error", `Not saved: ${messageOf(error)}`);
  };
  const submit = () =>
    save.mutate(current, {
      onSuccess: () => {
        setDraft(null);
        outcome.show("success", "Role overrides saved.");
      },
      onError: failed,
    });
  const clearAll = () =>
    clear.mutate(undefined, {
      onSuccess: () => {
        setDraft(null);
        outcome.show("success", "Role overrides cleared.");
      },
      onError: failed,
    });
  const empty = !current.paused && current.preserved.length === 0 && current.suppressed.length === 0;
  const storedEmpty = !stored.data.paused && stored.data.preserved.length === 0 && stored.data.suppressed.length === 0;

  return (
    <section className="card overrides" aria-labelledby="role-overrides">
      <h3 id="role-overrides">Role overrides</h3>
      <Field
        id="overrides-paused"
        label="Pause automatic revocations"
        hint={<span data-testid="paused-state">{current.paused ? "Paused: role sync grants but never revokes." : "Active: role sync revokes roles the groups no longer grant."}</span>}
      >
        {(aria) => (
          <Switch.Root className="switch" checked={current.paused} onCheckedChange={(paused) => edit({ paused })} {...aria}>
            <Switch.Thumb className="switch-thumb" />
          </Switch.Root>
        )}
      </Field>
      {(Object.keys(lists) as ListName[]).map((name) => (
        <RoleList key={name} name={name} roles={current[name]} onChange={(roles) => edit({ [name]: roles })} />
      ))}
      <div className="row">
        <button type="button" onClick={submit} disabled={draft === null || save.isPending}>
          Save overrides
        </button>
        {draft !== null && (
          <button type="button" onClick={() => setDraft(null)}>
            Discard changes
          </button>
        )}
        <ConfirmDialog
          trigger={
            <button type="button" className="danger outlined" disabled={storedEmpty || clear.isPending}>
              Clear all overrides
            </button>
          }
          title={`Clear every role override of ${props.email ?? "this user"}?`}
          description="Role sync goes back to granting and revoking from the identity provider's groups alone, from the user's next sign-in."
          confirmLabel="Clear overrides"
          onConfirm={clearAll}
        />
        {draft !== null && <span className="hint">Unsaved changes{empty ? " (saving with nothing set removes the overrides)" : ""}</span>}
        {outcome.node}
      </div>
    </section>
  );
}

function RoleList(props: { name: ListName; roles: string[]; onChange: (roles: string[]) => void }) {
  const { title, hint } = lists[props.name];
  const singular = props.name === "preserved" ? "preserved role" : "suppressed role";
  const [role, setRole] = useState("");
  const add = (event: FormEvent) => {
    event.preventDefault();
    const clean = role.trim().toLowerCase();
    if (!clean) return;
    if (!props.roles.includes(clean)) props.onChange([...props.roles, clean]);
    setRole("");
  };
  return (
    <div className="override-list">
      <h4 id={`overrides-${props.name}`}>{title}</h4>
      <p className="hint">{hint}</p>
      <ul className="chips" aria-labelledby={`overrides-${props.name}`} data-testid={`overrides-${props.name}`}>
        {props.roles.map((r) => (
          <li key={r} className="chip">
            <span>{r}</span>
            <button type="button" className="chip-remove" aria-label={`Remove ${singular} ${r}`} onClick={() => props.onChange(props.roles.filter((x) => x !== r))}>
              ×
            </button>
          </li>
        ))}
        {props.roles.length === 0 && <li className="hint">none</li>}
      </ul>
      <form className="inline-form" onSubmit={add}>
        <Field id={`overrides-add-${props.name}`} label={`Add a ${singular}`}>
          {(aria) => <RoleNameInput suggestions={BUILT_IN_PLATFORM_ROLES} value={role} onChange={(e) => setRole(e.target.value)} {...aria} />}
        </Field>
        <button type="submit" aria-label={`Add ${singular}`}>
          Add
        </button>
      </form>
    </div>
  );
}
