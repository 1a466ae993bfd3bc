// My tokens (every signed-in user): GET /me/tokens, POST /me/tokens (the secret shown
// once), DELETE /me/tokens/{id} after a confirmation. The secret lives only in this
// component's state: the create mutation forgets its answer as soon as the state has it,
// so it is gone with "Done" or when the screen unmounts.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import type { components } from "../../../../client/types/me.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { DataTable, type ColumnDef } from "../../components/DataTable.tsx";
import { Field } from "../../components/Field.tsx";
import { useFieldErrors } from "../../components/fieldErrors.ts";
import { SecretOnce } from "../../components/SecretOnce.tsx";
import { When } from "../../components/When.tsx";
import { useNotifyError, useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";

type Token = components["schemas"]["TokenMetadata"];

function columns(revoke: (id: string) => void): ColumnDef<Token>[] {
  return [
    { header: "Name", accessorKey: "name" },
    { header: "Prefix", cell: ({ row }) => <code>{row.original.prefix}</code> },
    { header: "Scopes", cell: ({ row }) => row.original.scopes.join(", ") },
    { header: "Last used", cell: ({ row }) => <When value={row.original.last_used_at} missing="never" /> },
    { header: "Expires", cell: ({ row }) => <When value={row.original.expires_at} style="date" /> },
    {
      id: "actions",
      header: () => <span className="visually-hidden">Actions</span>,
      cell: ({ row }) => <RevokeButton name={row.original.name} onConfirm={() => revoke(row.original.id)} />,
    },
  ];
}

interface Created {
  name: string;
  token: string;
}

export function TokensScreen() {
  const { api, me } = useSession();
  // The scopes a token may carry: every permission the user holds, on the platform, over their account, in any organization.
  const held = [...new Set([...me.platform_permissions, ...me.account_permissions, ...me.memberships.flatMap((m) => m.permissions)])].sort();
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ["me", "tokens"], queryFn: async () => unwrap(await api.me.GET("/me/tokens")).tokens });
  useToastOnError(tokens.error);

  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState("30");
  const [created, setCreated] = useState<Created | null>(null);

  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.me.POST("/me/tokens", { body: { name: name.trim(), scopes, expires_in_days: Number(days) } })),
    // Not kept in the mutation cache once nothing observes it (reset below detaches this screen).
    gcTime: 0,
    onSuccess: (token) => {
      setCreated({ name: token.name, token: token.token });
      // The answer (the secret) leaves the mutation's result: the state above is its only copy.
      create.reset();
      setName("");
      setScopes([]);
      void queryClient.invalidateQueries({ queryKey: ["me", "tokens"] });
    },
    onError: notify,
  });
  const { errors, edited } = useFieldErrors(create.error);
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.me.DELETE("/me/tokens/{id}", { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["me", "tokens"] }),
    onError: notify,
  });

  // Built once per mutation object, so the rows' Revoke buttons are not replaced (and lose focus) on every render.
  const revokeToken = revoke.mutate;
  const tokenColumns = useMemo(() => columns(revokeToken), [revokeToken]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      notify(new Error("Pick at least one scope"));
      return;
    }
    create.mutate();
  };
  const toggle = (scope: string, on: boolean) => setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));

  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">My tokens</h2>
      {created && (
        <SecretOnce label="New token secret" secret={created.token} testId="token-secret" onDone={() => setCreated(null)}>
          Token <strong>{created.name}</strong> created. Copy its secret now: it is not shown again.
        </SecretOnce>
      )}
      <form onSubmit={submit} aria-labelledby="new-token">
        <h3 id="new-token">Generate a token</h3>
        <div className="row">
          <Field id="token-name" label="Name" error={errors.name}>
            {(aria) => <input required maxLength={100} value={name} onChange={(e) => {
                  edited("name");
                  setName(e.target.value);
                }} {...aria} />}
          </Field>
          <Field id="token-days" label="Expires in (days)" error={errors.expires_in_days}>
            {(aria) => <input type="number" required min={1} max={365} value={days} onChange={(e) => {
                  edited("expires_in_days");
                  setDays(e.target.value);
                }} {...aria} />}
          </Field>
        </div>
        <fieldset className="scopes">
          <legend>Scopes (permissions you hold)</legend>
          {held.map((scope) => (
            <label key={scope} className="scope">
              <input type="checkbox" name="scope" value={scope} checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending}>
          Generate token
        </button>
      </form>
      {tokens.isError && <p role="alert">Could not load your tokens: {messageOf(tokens.error)}</p>}
      {tokens.data && (
        <DataTable label="My tokens" columns={tokenColumns} rows={tokens.data} rowId={(t) => t.id} empty="No active tokens." />
      )}
    </section>
  );
}

function RevokeButton({ name, onConfirm }: { name: string; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger={
        <button type="button" aria-label={`Revoke ${name}`}>
          Revoke
        </button>
      }
      title={`Revoke ${name}?`}
      description="Anything using this token is refused on its next request. This cannot be undone."
      confirmLabel="Revoke token"
      onConfirm={onConfirm}
    />
  );
}
