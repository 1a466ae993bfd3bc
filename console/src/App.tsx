// The console's shell: sign-in, then the screens the user's platform permissions allow.
import * as Label from "@radix-ui/react-label";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { clients, devSignIn, unwrap, type Clients } from "./api.ts";
import type { ConsoleConfig } from "./config.ts";
import { useNotifyError } from "./toast.tsx";
import { TokensScreen } from "./TokensScreen.tsx";
import { UsersTable } from "./UsersTable.tsx";

const TOKEN_KEY = "tenantry.console.token";

export function App({ config }: { config: ConsoleConfig }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const signIn = (t: string) => {
    sessionStorage.setItem(TOKEN_KEY, t);
    setToken(t);
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  };
  const api = useMemo(() => (token ? clients(config, token) : null), [config, token]);
  return (
    <div className="app">
      <header className="top">
        <h1>Tenantry console</h1>
        {api && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main>{api ? <SignedIn api={api} /> : <SignIn config={config} onToken={signIn} />}</main>
    </div>
  );
}

function SignIn({ config, onToken }: { config: ConsoleConfig; onToken: (token: string) => void }) {
  const notify = useNotifyError();
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  if (!config.devSignIn) {
    return (
      <section aria-labelledby="sign-in">
        <h2 id="sign-in">Sign in</h2>
        <p>Sign-in through Supabase Auth against a hosted project is not built yet; on the local stack use the development sign-in.</p>
      </section>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onToken(await devSignIn(email));
    } catch (error) {
      notify(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="sign-in">
      <h2 id="sign-in">Development sign-in</h2>
      <p className="hint">Local stack only: a token for this email, as <code>npm run token</code> mints it (the user is created on first use).</p>
      <form onSubmit={submit} className="row">
        <Label.Root htmlFor="email">Email</Label.Root>
        <input id="email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}

function SignedIn({ api }: { api: Clients }) {
  const notify = useNotifyError();
  const me = useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api.me.GET("/me")) });
  useEffect(() => {
    if (me.error) notify(me.error);
  }, [me.error, notify]);
  if (me.isPending) return <p role="status">Loading your account…</p>;
  if (me.isError) return <p role="alert">Could not load your account: {me.error.message}</p>;
  const { profile, platform_roles, platform_permissions, account_permissions, memberships } = me.data;
  // The scopes a token may carry: every permission the user holds, on the platform, over their account, in any organization.
  const held = [...new Set([...platform_permissions, ...account_permissions, ...memberships.flatMap((m) => m.permissions)])].sort();
  return (
    <>
      <section aria-labelledby="account">
        <h2 id="account">Your account</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd data-testid="account-email">{profile.email}</dd>
          <dt>Display name</dt>
          <dd>{profile.display_name ?? "—"}</dd>
          <dt>Plan</dt>
          <dd>{profile.plan}</dd>
          <dt>Platform roles</dt>
          <dd>{platform_roles.length ? platform_roles.join(", ") : "none"}</dd>
          <dt>Organizations</dt>
          <dd>{memberships.length ? memberships.map((m) => `${m.name} (${m.role})`).join(", ") : "none"}</dd>
        </dl>
      </section>
      <TokensScreen api={api} held={held} />
      {platform_permissions.includes("users:admin") && <UsersTable api={api} />}
    </>
  );
}
