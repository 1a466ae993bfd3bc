// My tokens (every signed-in user): GET /me/tokens, POST /me/tokens (the secret shown
// once, kept only in this component's state), DELETE /me/tokens/{id} after a confirmation.
import * as AlertDialog from "@radix-ui/react-alert-dialog";
import * as Label from "@radix-ui/react-label";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { unwrap, type Clients } from "./api.ts";
import { useNotifyError } from "./toast.tsx";

interface Created {
  name: string;
  token: string;
}

export function TokensScreen({ api, held }: { api: Clients; held: string[] }) {
  const notify = useNotifyError();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ["me", "tokens"], queryFn: async () => unwrap(await api.me.GET("/me/tokens")).tokens });
  useEffect(() => {
    if (tokens.error) notify(tokens.error);
  }, [tokens.error, notify]);

  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState("30");
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);

  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.me.POST("/me/tokens", { body: { name: name.trim(), scopes, expires_in_days: Number(days) } })),
    onSuccess: (token) => {
      setCreated({ name: token.name, token: token.token });
      setCopied(false);
      setName("");
      setScopes([]);
      void queryClient.invalidateQueries({ queryKey: ["me", "tokens"] });
    },
    onError: notify,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.me.DELETE("/me/tokens/{id}", { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["me", "tokens"] }),
    onError: notify,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      notify(new Error("Pick at least one scope"));
      return;
    }
    create.mutate();
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch (error) {
      notify(error);
    }
  };
  const toggle = (scope: string, on: boolean) => setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));

  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">My tokens</h2>
      {created && (
        <div className="secret" role="region" aria-label="New token secret">
          <p>
            Token <strong>{created.name}</strong> created. Copy its secret now: it is not shown again.
          </p>
          <div className="row">
            <code data-testid="token-secret" className="secret-value">
              {created.token}
            </code>
            <button type="button" onClick={copy}>
              Copy secret
            </button>
            {copied && <span role="status">Copied</span>}
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <form onSubmit={submit} aria-labelledby="new-token">
        <h3 id="new-token">Generate a token</h3>
        <div className="row">
          <Label.Root htmlFor="token-name">Name</Label.Root>
          <input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <Label.Root htmlFor="token-days">Expires in (days)</Label.Root>
          <input id="token-days" type="number" required min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} />
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
      {tokens.isError && <p role="alert">Could not load your tokens: {tokens.error.message}</p>}
      {tokens.data && (
        // The table scrolls sideways on a narrow screen: its wrapper takes focus so the keyboard can scroll it.
        <div className="scroll-x" role="region" aria-label="My tokens list" tabIndex={0}>
        <table className="grid" aria-label="My tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}</code>
                </td>
                <td>{t.scopes.join(", ")}</td>
                <td>{t.last_used_at ? new Date(t.last_used_at).toLocaleString() : "never"}</td>
                <td>{new Date(t.expires_at).toLocaleDateString()}</td>
                <td>
                  <RevokeButton name={t.name} onConfirm={() => revoke.mutate(t.id)} />
                </td>
              </tr>
            ))}
            {tokens.data.length === 0 && (
              <tr>
                <td colSpan={6}>No active tokens.</td>
              </tr>
            )}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

function RevokeButton({ name, onConfirm }: { name: string; onConfirm: () => void }) {
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button type="button" aria-label={`Revoke ${name}`}>
          Revoke
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title>Revoke {name}?</AlertDialog.Title>
          <AlertDialog.Description>Anything using this token is refused on its next request. This cannot be undone.</AlertDialog.Description>
          <div className="row">
            <AlertDialog.Cancel asChild>
              <button type="button">Cancel</button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <button type="button" className="danger" onClick={onConfirm}>
                Revoke token
              </button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
