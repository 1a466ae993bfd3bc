// The console's shell: sign-in, then a navigation of the screens the user's platform
// permissions allow (screens.tsx), each at its own #/path so a static host needs no rewrites.
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { HashRouter, NavLink, Route, Routes } from "react-router";
import { ThemeToggle } from "./components/ThemeToggle.tsx";
import { useToastOnError } from "./components/toast.tsx";
import { screens } from "./screens.tsx";
import { clients, unwrap, type Clients } from "./session/api.ts";
import type { ConsoleConfig } from "./session/config.ts";
import { SessionProvider, type Session } from "./session/session.tsx";
import { SignIn } from "./session/SignIn.tsx";

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
    <HashRouter>
      <div className="app">
        <header className="top">
          <h1>Tenantry console</h1>
          <div className="row">
            <ThemeToggle />
            {api && (
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            )}
          </div>
        </header>
        {api ? <SignedIn api={api} /> : <main><SignIn config={config} onToken={signIn} /></main>}
      </div>
    </HashRouter>
  );
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
