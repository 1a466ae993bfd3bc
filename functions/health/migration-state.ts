// Applied migrations against the ones these functions were built with
// (functions/_shared/migrations.ts, generated): readiness and GET /admin/status/db.
import { shippedMigrations, type ShippedMigration } from "../_shared/migrations.ts";

export interface MigrationState {
  /** Every shipped migration is applied (applied ⊇ shipped). */
  current: boolean;
  shipped: number;
  applied: number;
  latest_shipped: string | null;
  latest_applied: string | null;
  /** Shipped but not applied: `supabase db push` has not run since these functions were deployed. */
  missing: ShippedMigration[];
  /** Applied but not shipped: a newer deployment's migrations (these functions are older). */
  newer_applied: string[];
}

export function migrationState(appliedVersions: readonly string[], shipped: readonly ShippedMigration[] = shippedMigrations): MigrationState {
  const applied = new Set(appliedVersions);
  const shippedVersions = new Set(shipped.map((m) => m.version));
  const missing = shipped.filter((m) => !applied.has(m.version)).map(({ version, name }) => ({ version, name }));
  const sortedApplied = [...applied].sort();
  return {
    current: missing.length === 0,
    shipped: shippedVersions.size,
    applied: applied.size,
    latest_shipped: shipped.at(-1)?.version ?? null,
    latest_applied: sortedApplied.at(-1) ?? null,
    missing,
    newer_applied: sortedApplied.filter((v) => !shippedVersions.has(v)),
  };
}
