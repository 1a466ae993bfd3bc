// Sign-in. On the local stack: the development sign-in (a token for an email, the path of
// `npm run token`). Against a hosted project: Supabase Auth (not built yet).
import * as Label from "@radix-ui/react-label";
import { useState, type FormEvent } from "react";
import { useNotifyError } from "../components/toast.tsx";
import { devSignIn } from "./api.ts";
import type { ConsoleConfig } from "./config.ts";

export function SignIn({ config, onToken }: { config: ConsoleConfig; onToken: (token: string) => void }) {
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
