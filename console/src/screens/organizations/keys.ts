// Every query key of the Organizations screen, in one place: a key written twice can
// drift, and an invalidation that misses its query leaves the screen stale.
export const orgKeys = {
  /** Everything this screen reads (lists, details, invitations): what a change invalidates. */
  all: ["admin", "orgs"] as const,
  list: (params: { q: string; cursor: string | undefined }) => [...orgKeys.all, "list", params] as const,
  detail: (id: string) => [...orgKeys.all, "detail", id] as const,
  invitations: (id: string) => [...orgKeys.all, "invitations", id] as const,
  /** The shell's GET /me (App.tsx): memberships decide what the caller may do in an organization. */
  me: ["me"] as const,
};
