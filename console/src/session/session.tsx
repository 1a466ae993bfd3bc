// The signed-in session every screen reads: the typed API clients with the user's token,
// and who the user is (GET /me), which decides the screens they see.
import { createContext, useContext } from "react";
import type { Clients } from "./api.ts";
import type { components } from "../../../client/types/me.ts";

export type Me = components["schemas"]["Me"];

export interface Session {
  api: Clients;
  me: Me;
  /** Whether the user holds this permission platform-wide (the admin screens' gate). */
  can: (permission: string) => boolean;
}

const SessionContext = createContext<Session | null>(null);
export const SessionProvider = SessionContext.Provider;

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}
