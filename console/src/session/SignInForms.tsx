// The three sign-in forms. Errors go to the one toast (message, code, HTTP status).
import * as Label from "@radix-ui/react-label";
import type { SupabaseClient } from "@supabase/supabase-js";
import { useId, useState, type FormEvent } from "react";
import { useNotifyError } from "../components/toast.tsx";
import { devSignIn } from "./api.ts";
import { authFailure, consoleAddress } from "./auth.ts";

function useSubmit(action: () => Promise<void>) {
  const notify = useNotifyError();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await action();
    } catch (error) {
      notify(error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}

function EmailField({ value, onChange }: { value: string; onChange: (email: string) => void }) {
  const id = useId();
  return (
    <>
      <Label.Root htmlFor={id}>Email</Label.Root>
      <input id={id} type="email" required value={value} onChange={(e) => onChange(e.target.value)} autoComplete="email" />
    </>
  );
}

/** Local stack only: the gateway mints a token for this email, as `npm run token` does. */
export function DevelopmentSignIn({ onToken }: { onToken: (token: string) => void }) {
  const [email, setEmail] = useState("");
  const { busy, submit } = useSubmit(async () => onToken(await devSignIn(email)));
  return (
    <form onSubmit={submit} aria-label="Development sign-in" className="sign-in-form">
      <p className="hint">Local stack only: a token for this email, as <code>npm run token</code> mints it (the user is created on first use).</p>
      <div className="row">
        <EmailField value={email} onChange={setEmail} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </div>
    </form>
  );
}

export function PasswordSignIn({ supabase }: { supabase: SupabaseClient }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const passwordId = useId();
  // Success needs nothing here: supabase-js announces the session (SIGNED_IN) to the shell.
  const { busy, submit } = useSubmit(async () => {
    const { error } = await supabase.auth.signInWithPassword({ email, password });
    if (error) throw authFailure(error);
  });
  return (
    <form onSubmit={submit} aria-label="Password sign-in" className="sign-in-form">
      <div className="sign-in-fields">
        <EmailField value={email} onChange={setEmail} />
        <Label.Root htmlFor={passwordId}>Password</Label.Root>
        <input id={passwordId} type="password" required value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      </div>
      <button type="submit" disabled={busy}>
        Sign in with password
      </button>
    </form>
  );
}

export function MagicLinkSignIn({ supabase }: { supabase: SupabaseClient }) {
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, submit } = useSubmit(async () => {
    setSentTo(null);
    // The link comes back to this console; existing users only: the console signs nobody up.
    const { error } = await supabase.auth.signInWithOtp({ email, options: { emailRedirectTo: consoleAddress(), shouldCreateUser: false } });
    if (error) throw authFailure(error);
    setSentTo(email);
  });
  return (
    <form onSubmit={submit} aria-label="Magic link sign-in" className="sign-in-form">
      <p className="hint">We email you a link that signs you in here. Open it in this browser.</p>
      <div className="row">
        <EmailField value={email} onChange={setEmail} />
        <button type="submit" disabled={busy}>
          Send magic link
        </button>
      </div>
      <p role="status" className="success">
        {sentTo && `Check your inbox: a sign-in link is on its way to ${sentTo}.`}
      </p>
    </form>
  );
}
