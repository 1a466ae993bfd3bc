// The console's sign-in state: the development token (local stack) or the Supabase Auth
// session, followed through onAuthStateChange; sign-in and sign-out for the shell.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNotifyError } from "../components/toast.tsx";
import { authFailure, credentialFor, DEV_TOKEN_KEY, forgetAuthRedirect, SESSION_STORAGE_KEY, supabaseFor, type Credential } from "./auth.ts";
import type { ConsoleConfig } from "./config.ts";

export interface ConsoleAuth {
  /** False until supabase-js has looked at the URL (a magic link's ?code=) and its stored session. */
  ready: boolean;
  credential: Credential | null;
  signInWithDevelopmentToken: (token: string) => void;
  signOut: () => Promise<void>;
}

export function useConsoleAuth(config: ConsoleConfig): ConsoleAuth {
  const notify = useNotifyError();
  const supabase = useMemo(() => supabaseFor(config), [config]);
  const [devToken, setDevToken] = useState(() => sessionStorage.getItem(DEV_TOKEN_KEY));
  const [ready, setReady] = useState(!supabase);
  const [session, setSession] = useState<Credential | null>(null);
  // Whether the session now ending is being ended here, by Sign out.
  const signingOut = useRef(false);
  // A session stored by an earlier visit counts: if its renewal at start-up is refused, say so too.
  const signedIn = useRef(localStorage.getItem(SESSION_STORAGE_KEY) !== null);

  useEffect(() => {
    if (!supabase) return;
    let live = true;
    // Every later change: SIGNED_IN, TOKEN_REFRESHED, SIGNED_OUT (here or in another tab).
    // The credential stays the same object while the user does, so the API clients are kept
    // across refreshes; they ask for the current token on every request.
    const { data } = supabase.auth.onAuthStateChange((event, current) => {
      // Ended without Sign out here: signed out in another tab, or Supabase Auth refused to
      // renew the session (the user was disabled, banned or deleted). Say so, not just vanish.
      if (event === "SIGNED_OUT" && signedIn.current && !signingOut.current) {
        notify(new Error("You were signed out: your session ended elsewhere, or Supabase Auth refused to renew it (a disabled or banned account)."));
      }
      signedIn.current = current !== null;
      if (event === "SIGNED_OUT") signingOut.current = false;
      setSession((previous) => {
        if (!current) return null;
        if (previous?.kind === "supabase" && previous.userId === current.user.id) return previous;
        return credentialFor(supabase, current);
      });
    });
    void supabase.auth.initialize().then(async ({ error }) => {
      if (!live) return;
      if (error) notify(authFailure(error));
      forgetAuthRedirect();
      const current = (await supabase.auth.getSession()).data.session;
      if (!live) return;
      signedIn.current = signedIn.current || current !== null;
      setSession((previous) => previous ?? (current ? credentialFor(supabase, current) : null));
      setReady(true);
    });
    return () => {
      live = false;
      data.subscription.unsubscribe();
    };
  }, [supabase, notify]);

  const credential = useMemo<Credential | null>(
    () => (devToken ? { kind: "development", accessToken: async () => devToken } : session),
    [devToken, session],
  );

  const signInWithDevelopmentToken = useCallback((token: string) => {
    sessionStorage.setItem(DEV_TOKEN_KEY, token);
    setDevToken(token);
  }, []);

  const signOut = useCallback(async () => {
    if (devToken) {
      sessionStorage.removeItem(DEV_TOKEN_KEY);
      setDevToken(null);
    } else if (supabase) {
      // This session only (scope "local"): signing out of the console ends no other
      // session the user has, in another app or on another device.
      signingOut.current = true;
      const { error } = await supabase.auth.signOut({ scope: "local" });
      if (error) {
        signingOut.current = false;
        return notify(authFailure(error));
      }
    }
  }, [devToken, supabase, notify]);

  return { ready, credential, signInWithDevelopmentToken, signOut };
}
