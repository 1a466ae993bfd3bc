// Every query key of the Database screen, in one place: Enable RLS invalidates exactly
// what the screen reads.
export const databaseKeys = {
  rls: ["admin", "rls"] as const,
  status: ["admin", "status", "db"] as const,
};
