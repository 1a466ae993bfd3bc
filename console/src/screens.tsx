// The console's screens, in navigation order, each with the platform permission that
// shows it (the API refuses the same callers; hiding a screen is only courtesy).
import type { ReactNode } from "react";
import { AccountScreen } from "./screens/account/AccountScreen.tsx";
import { AuditScreen } from "./screens/audit/AuditScreen.tsx";
import { DatabaseScreen } from "./screens/database/DatabaseScreen.tsx";
import { OrganizationsScreen } from "./screens/organizations/OrganizationsScreen.tsx";
import { TokensScreen } from "./screens/tokens/TokensScreen.tsx";
import { UsersScreen } from "./screens/users/UsersScreen.tsx";

export interface Screen {
  path: string;
  label: string;
  /** A platform permission the user must hold; none: every signed-in user. */
  needs?: string;
  element: ReactNode;
}

export const screens: Screen[] = [
  { path: "/", label: "Your account", element: <AccountScreen /> },
  { path: "/tokens", label: "My tokens", element: <TokensScreen /> },
  { path: "/users", label: "Users", needs: "users:admin", element: <UsersScreen /> },
  { path: "/organizations", label: "Organizations", needs: "org:read", element: <OrganizationsScreen /> },
  { path: "/audit", label: "Audit", needs: "audit:read", element: <AuditScreen /> },
  { path: "/database", label: "Database", needs: "rls:manage", element: <DatabaseScreen /> },
];
