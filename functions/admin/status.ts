// GET /admin/status/db (SPEC F14): backend information for operators. rls:manage is
// checked by public.database_status(); the migrations these functions were built with
// (functions/_shared/migrations.ts, generated) are compared with the applied ones here.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { Timestamp } from "../_shared/schemas.ts";
import { migrationState } from "../health/migration-state.ts";
import { RlsSummary } from "./rls.ts";

const Extension = z.object({ name: z.string(), version: z.string(), schema: z.string(), default_version: z.string().nullable() });

const DatabaseStatus = z
  .object({
    server_version: z.string(),
    server_version_num: z.int(),
    version: z.string().meta({ description: "version(): build and platform" }),
    database: z.string(),
    time: Timestamp,
    migrations: z.object({
      current: z.boolean().meta({ description: "every shipped migration is applied" }),
      shipped: z.int(),
      applied: z.int(),
      latest_shipped: z.string().nullable(),
      latest_applied: z.string().nullable(),
      missing: z.array(z.object({ version: z.string(), name: z.string() })).meta({ description: "shipped but not applied (run supabase db push)" }),
      newer_applied: z.array(z.string()).meta({ description: "applied but not shipped with these functions (a newer deployment's)" }),
    }),
    extensions: z.array(Extension),
    rls: RlsSummary,
  })
  .meta({ id: "DatabaseStatus" });

interface StatusRow {
  server_version: string;
  server_version_num: number;
  version: string;
  database: string;
  time: string;
  migrations_applied: string[];
  extensions: z.input<typeof Extension>[];
  rls: z.input<typeof RlsSummary>;
}

export const statusEndpoints = [
  endpoint({
    method: "get", path: "/admin/status/db", tags: ["status"], summary: "Database status",
    description:
      "Server version, migrations applied (supabase_migrations.schema_migrations) against those these functions ship, extensions and the " +
      "row-level security summary. Needs rls:manage (a personal access token: the rls:manage scope). A refusal is audited.",
    response: { description: "the database's state", schema: DatabaseStatus },
    handler: async (_input, ctx, req) => {
      const { migrations_applied: applied, ...status } = await callAsCaller<StatusRow>(req, ctx, (tx) => tx`select public.database_status() as result`);
      return { ...status, migrations: migrationState(applied) };
    },
  }),
];
