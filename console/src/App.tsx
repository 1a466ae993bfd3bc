// The console's shell: sign-in, then a navigation of the screens the user's platform
// permissions allow (screens.tsx), each at its own #/path so a static host needs no rewrites.
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { HashRouter, NavLink, Route, Routes } from "react-router";
import { ThemeToggle } from "./components/ThemeToggle.tsx";
import { useToastOnError } from "./components/toast.tsx";
import { screens } from "./screens.tsx";
import { clients, unwrap, type Clients } from "./session/api.ts";
import type { ConsoleConfig } from "./session/config.ts";
import { SessionProvider, type Session } from "./session/session.tsx";
import { SignIn } from "./session/SignIn.tsx";
import type { Credential } from "./session/auth.ts";
import { useConsoleAuth } from "./session/useConsoleAuth.ts";

export function App({ config }: { config: ConsoleConfig }) {
  const auth = useConsoleAuth(config);
  const { credential } = auth;
  // Kept while the same user stays signed in (refreshes included): they ask for the current token per request.
  const api = useMemo(() => (credential ? clients(config, credential.accessToken) : null), [config, credential]);
  const queryClient = useQueryClientPerUser(credential);
  // The router starts once a magic link's ?code= (or error) has been taken off the address.
  if (!auth.ready) return <main><p role="status">Loading…</p></main>;
  return (
    <HashRouter>
      <div className="app">
        <header className="top">
          <h1>Tenantry console</h1>
          <div className="row">
            <ThemeToggle />
            {api && (
              <button type="button" onClick={() => void auth.signOut()}>
                Sign out
              </button>
            )}
          </div>
        </header>
        {api && queryClient ? (
          <QueryClientProvider client={queryClient}>
            <SignedIn api={api} />
          </QueryClientProvider>
        ) : (
          <main>
            <SignIn config={config} onDevelopmentToken={auth.signInWithDevelopmentToken} />
          </main>
        )}
      </div>
    </HashRouter>
  );
}

/**
 * A cache per signed-in user: whoever signs in next (here, or in another tab) starts from
 * nothing, so no screen ever shows them what the previous user's requests returned; the
 * previous user's cache is emptied (its queries and mutations dropped) when they leave.
 */
function useQueryClientPerUser(credential: Credential | null): QueryClient | null {
  const [held, setHeld] = useState(() => ({ credential, client: credential ? newQueryClient() : null }));
  // The credential changed: a new cache, set while rendering (React re-renders before showing anything).
  if (held.credential !== credential) setHeld({ credential, client: credential ? newQueryClient() : null });
  useEffect(() => {
    const client = held.client;
    return () => client?.clear();
  }, [held.client]);
  return held.credential === credential ? held.client : null;
}

function newQueryClient(): QueryClient {
  // The API's answers are the truth: no retries that repeat a refused request, no refetch on focus.
  return new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
}

function SignedIn({ api }: { api: Clients }) {
  const me = useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api.me.GET("/me")) });
  useToastOnError(me.error);
  const session = useMemo<Session | null>(() => {
    if (!me.data) return null;
    const platform = new Set(me.data.platform_permissions);
    return { api, me: me.data, can: (permission) => platform.has(permission) };
  }, [api, me.data]);
  if (me.isPending) return <main><p role="status">Loading your account…</p></main>;
  if (!session) return <main><p role="alert">Could not load your account: {me.error?.message}</p></main>;
  const allowed = screens.filter((s) => !s.needs || session.can(s.needs));
  return (
    <SessionProvider value={session}>
      <div className="layout">
        <nav aria-label="Screens" className="screens">
          <ul>
            {allowed.map((s) => (
              <li key={s.path}>
                <NavLink to={s.path} end>
                  {s.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main>
          <Routes>
            {allowed.map((s) => (
              <Route key={s.path} path={s.path} element={s.element} />
            ))}
            <Route path="*" element={<p role="alert">There is no such screen here, or it needs a permission you do not hold.</p>} />
          </Routes>
        </main>
      </div>
    </SessionProvider>
  );
}
