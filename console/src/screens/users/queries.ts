// The Users screen's server state (TanStack Query): one key scheme, the reads, and the
// writes with what each refreshes. Disable/enable is optimistic: the user's row and drawer
// change at once and that user's status returns to what it was if the API refuses.
import { keepPreviousData, useIsMutating, useMutation, useQuery, useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { components } from "../../../../client/types/admin.ts";
import { useNotifyError } from "../../components/toast.tsx";
import { unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";

export type UserRow = components["schemas"]["UserRow"];
export type UserPage = components["schemas"]["UserPage"];
export type UserDetail = components["schemas"]["UserDetail"];
export type UserProfile = components["schemas"]["UserProfile"];
export type RoleOverrides = components["schemas"]["RoleOverrides"];
export type CreateUserInput = components["schemas"]["CreateUserInput"];
export type UpdateUserInput = components["schemas"]["UpdateUserInput"];
export type UserStatus = UserRow["status"];

export interface UserFilters {
  q?: string;
  role?: string;
  org?: string;
  status?: UserStatus;
}

const userKeys = {
  lists: ["admin", "users", "list"] as const,
  list: (filters: UserFilters, cursor: string | undefined) => [...userKeys.lists, filters, cursor ?? null] as const,
  /** The drawer's user; its role overrides live under it, so refreshing one refreshes both. */
  detail: (id: string) => ["admin", "user", id] as const,
  overrides: (id: string) => ["admin", "user", id, "role-overrides"] as const,
  /** Mutation keys: every disable/enable in flight, and one user's. */
  toggles: ["admin", "users", "set-disabled"] as const,
  toggle: (id: string) => [...userKeys.toggles, id] as const,
};

export function useUserPage(filters: UserFilters, cursor: string | undefined, pageSize: number) {
  const { api } = useSession();
  return useQuery({
    queryKey: userKeys.list(filters, cursor),
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.admin.GET("/admin/users", { params: { query: { ...filters, cursor, page_size: pageSize } } })),
  });
}

export function useUserDetail(id: string | null) {
  const { api } = useSession();
  return useQuery({
    queryKey: userKeys.detail(id ?? ""),
    enabled: id !== null,
    queryFn: async () => unwrap(await api.admin.GET("/admin/users/{id}", { params: { path: { id: id! } } })),
  });
}

export function useRoleOverrides(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: userKeys.overrides(id),
    queryFn: async () => unwrap(await api.admin.GET("/admin/users/{id}/role-overrides", { params: { path: { id } } })),
  });
}

/** Everything the screen shows about users: the table's pages and every open drawer. */
const refreshUsers = (client: QueryClient, id?: string) =>
  Promise.all([client.invalidateQueries({ queryKey: userKeys.lists }), id ? client.invalidateQueries({ queryKey: userKeys.detail(id) }) : undefined]);

/** One user's status as each cached page and their drawer had it before an optimistic change. */
interface Rollback {
  pages: Array<[QueryKey, UserStatus]>;
  detail: UserStatus | undefined;
}

const withStatus = (page: UserPage, id: string, status: UserStatus): UserPage => ({ ...page, users: page.users.map((u) => (u.id === id ? { ...u, status } : u)) });

/** Disables or enables one user (the mutation is keyed by the user, so every button for them sees it pending). */
export function useSetDisabled(id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  const notify = useNotifyError();
  return useMutation({
    mutationKey: userKeys.toggle(id),
    mutationFn: async (disabled: boolean) => {
      const path = { params: { path: { id } } };
      return unwrap(disabled ? await api.admin.POST("/admin/users/{id}/disable", path) : await api.admin.POST("/admin/users/{id}/enable", path));
    },
    onMutate: async (disabled): Promise<Rollback> => {
      // A refetch landing now would overwrite the optimistic status with the old one.
      await client.cancelQueries({ queryKey: userKeys.lists });
      await client.cancelQueries({ queryKey: userKeys.detail(id) });
      const pages = client.getQueriesData<UserPage>({ queryKey: userKeys.lists }).flatMap(([key, page]): Rollback["pages"] => {
        const row = page?.users.find((u) => u.id === id);
        return row ? [[key, row.status]] : [];
      });
      const rollback: Rollback = { pages, detail: client.getQueryData<UserDetail>(userKeys.detail(id))?.status };
      const status: UserStatus = disabled ? "disabled" : "active";
      for (const [key] of pages) client.setQueryData<UserPage>(key, (page) => page && withStatus(page, id, status));
      client.setQueryData<UserDetail>(userKeys.detail(id), (user) => user && { ...user, status });
      return rollback;
    },
    onError: (error, _disabled, rollback) => {
      // Only this user's status goes back: the rest of each page may hold another change in flight.
      for (const [key, status] of rollback?.pages ?? []) client.setQueryData<UserPage>(key, (page) => page && withStatus(page, id, status));
      const before = rollback?.detail;
      if (before) client.setQueryData<UserDetail>(userKeys.detail(id), (user) => user && { ...user, status: before });
      notify(error);
    },
    onSettled: () => {
      // The pages are refetched by the last toggle to settle: refetched earlier, they would show
      // a user whose change is still in flight with the status the server has not changed yet.
      // (This toggle still counts as in flight while it settles.)
      const last = client.isMutating({ mutationKey: userKeys.toggles }) === 1;
      return last ? refreshUsers(client, id) : client.invalidateQueries({ queryKey: userKeys.detail(id) });
    },
  });
}

/** Whether a disable/enable of this user is in flight (from any button). */
export const useTogglePending = (id: string) => useIsMutating({ mutationKey: userKeys.toggle(id) }) > 0;

export function useCreateUser() {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateUserInput) => unwrap(await api.admin.POST("/admin/users", { body })),
    onSuccess: () => refreshUsers(client),
  });
}

export function useUpdateUser(id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: UpdateUserInput) => unwrap(await api.admin.PATCH("/admin/users/{id}", { params: { path: { id } }, body })),
    onSuccess: () => refreshUsers(client, id),
  });
}

export function useDeleteUser(onDeleted: () => void) {
  const { api } = useSession();
  const client = useQueryClient();
  const notify = useNotifyError();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.admin.DELETE("/admin/users/{id}", { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      onDeleted();
      client.removeQueries({ queryKey: userKeys.detail(id) });
      return client.invalidateQueries({ queryKey: userKeys.lists });
    },
    onError: notify,
  });
}

export function usePlatformRole(id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  const notify = useNotifyError();
  const path = (role: string) => ({ params: { path: { id, role } } });
  const settle = { onSettled: () => refreshUsers(client, id), onError: notify };
  return {
    grant: useMutation({ mutationFn: async (role: string) => unwrap(await api.admin.PUT("/admin/users/{id}/roles/{role}", path(role))), ...settle }),
    revoke: useMutation({ mutationFn: async (role: string) => unwrap(await api.admin.DELETE("/admin/users/{id}/roles/{role}", path(role))), ...settle }),
  };
}

export type OverridesDraft = Pick<RoleOverrides, "paused" | "preserved" | "suppressed">;

export function useOverridesWrites(id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  // The stored overrides answer both writes; the drawer refreshes too (preserving grants a role, suppressing revokes one).
  const stored = (overrides: RoleOverrides) => {
    client.setQueryData(userKeys.overrides(id), overrides);
    return refreshUsers(client, id);
  };
  return {
    save: useMutation({
      mutationFn: async (body: OverridesDraft) => unwrap(await api.admin.PUT("/admin/users/{id}/role-overrides", { params: { path: { id } }, body })),
      onSuccess: stored,
    }),
    clear: useMutation({
      mutationFn: async () => unwrap(await api.admin.DELETE("/admin/users/{id}/role-overrides", { params: { path: { id } } })),
      onSuccess: stored,
    }),
  };
}
