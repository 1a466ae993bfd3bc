// /admin/rls (SPEC F6, F14, F15): the row-level security report and the "Enable RLS"
// action, which applies protect_table() again to every table registered with it, one
// table per transaction, as the caller (SQL checks rls:manage and audits each).
// USER_MGMT_RLS_ENFORCE: the first request an admin function isolate serves starts the
// same repair in the background, as the function's own role (the operator), for
// registered tables that drifted; it never delays or fails a request.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import type { Sql } from "../_shared/db.ts";
import { asApiError, errorBody } from "../_shared/errors.ts";
import type { Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { Timestamp } from "../_shared/schemas.ts";

const Policy = z.object({
  name: z.string(),
  command: z.enum(["select", "insert", "update", "delete", "all"]),
  permissive: z.boolean(),
  roles: z.array(z.string()),
  using: z.string().nullable(),
  with_check: z.string().nullable(),
});

const Privileges = z.array(z.enum(["select", "insert", "update", "delete"]));

const Protection = z.object({
  scope: z.enum(["owner", "org"]),
  column: z.string(),
  read_permission: z.string(),
  write_permission: z.string(),
  registered_at: Timestamp,
  applied_at: Timestamp,
});

export const RlsSummary = z
  .object({
    tables: z.int(),
    rls_enabled: z.int(),
    rls_forced: z.int(),
    protected: z.int().meta({ description: "tables registered with protect_table" }),
    drifted: z.int().meta({ description: "registered tables protect_table would change now" }),
    exposed_without_rls: z.int(),
    exposed_without_rls_tables: z.array(z.string()),
  })
  .meta({ id: "RlsSummary" });

const RlsTable = z
  .object({
    schema: z.string(),
    name: z.string(),
    table: z.string().meta({ description: "schema-qualified, quoted where needed" }),
    kind: z.enum(["table", "partitioned table"]),
    rls_enabled: z.boolean(),
    rls_forced: z.boolean(),
    policies: z.array(Policy),
    grants: z.object({ anon: Privileges, authenticated: Privileges }).meta({ description: "what the API roles may do (table or column grants)" }),
    tenantry_managed: z.boolean().meta({ description: "one of Tenantry's own tables (its policies come from its migrations)" }),
    protected: z.boolean().meta({ description: "protect_table manages it (registered)" }),
    protection: Protection.nullable().meta({ description: "the arguments protect_table was applied with" }),
    drift: z.array(z.string()).nullable().meta({ description: "for a registered table: what protect_table would change now (empty: nothing)" }),
    exposed_without_rls: z.boolean().meta({ description: "anon or authenticated can reach it and RLS is off" }),
  })
  .meta({ id: "RlsTable" });

const RlsReport = z
  .object({
    schemas: z.array(z.string()).meta({ description: "the schemas the Data API exposes (pgrst.db_schemas: config.toml [api] schemas)" }),
    tables: z.array(RlsTable),
    missing_protected_tables: z.array(z.string()).meta({ description: "registered tables that no longer exist" }),
    summary: RlsSummary,
  })
  .meta({ id: "RlsReport" });

// protect_table's answer (private.protect_table in the protect_table registry migration).
const ProtectTableReport = z
  .object({
    table: z.string(),
    scope: z.string(),
    column: z.string(),
    rls_was_enabled: z.boolean(),
    rls_enabled: z.boolean(),
    policies_created: z.array(z.string()),
    policies_existing: z.array(z.string()),
    index_created: z.boolean(),
  })
  .meta({ id: "ProtectTableReport" });

const ApplyLine = z
  .object({
    table: z.string(),
    status: z.enum(["applied", "missing", "failed", "refused"]),
    report: ProtectTableReport.optional().meta({ description: "protect_table's report (applied lines)" }),
    error: z.object({ code: z.string(), message: z.string(), debug_id: z.string() }).optional(),
  })
  .meta({ id: "RlsApplyLine" });

type Report = z.output<typeof RlsReport>;

function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), function: "admin", ...entry }));
}

const tags = ["row-level security"];
const who = "Needs rls:manage (a personal access token: the rls:manage scope).";

export const rlsEndpoints = [
  endpoint({
    method: "get", path: "/admin/rls", tags, summary: "Row-level security report",
    description: `Every table of the schemas the Data API exposes: RLS enabled and forced, policies, grants, whether protect_table manages it (and what it would change), exposed tables without RLS flagged. ${who} A refusal is audited.`,
    response: { description: "the report", schema: RlsReport },
    handler: (_input, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.rls_report() as result`),
  }),
  endpoint({
    method: "post", path: "/admin/rls/apply", tags, summary: "Enable RLS: apply protect_table to every registered table",
    description:
      `Applies protect_table again, with the arguments it was registered with, to every registered table, each in its own transaction ` +
      `(audited as rls.protect_table), streaming one JSON line per table (application/x-ndjson). ${who} A refusal before the first line is a 403 ` +
      "(audited); a refusal midway ends the stream with a refused line.",
    response: { description: "one RlsApplyLine per registered table", schema: ApplyLine, media: "application/x-ndjson" },
    handler: async (_input, ctx, req) => {
      // The list, read as the caller before answering: a refusal is a plain 403.
      const report = await callAsCaller<Report>(req, ctx, (tx) => tx`select public.rls_report() as result`);
      const work: ({ table: string; missing: true } | { table: string; missing: false; protection: NonNullable<Report["tables"][number]["protection"]> })[] = [
        ...report.tables.flatMap((t) => (t.protection ? [{ table: t.table, missing: false as const, protection: t.protection }] : [])),
        ...report.missing_protected_tables.map((table) => ({ table, missing: true as const })),
      ];
      const encoder = new TextEncoder();
      const line = (value: z.input<typeof ApplyLine>) => encoder.encode(`${JSON.stringify(value)}\n`);
      let next = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const item = work[next++];
            if (!item) {
              controller.close();
              return;
            }
            if (item.missing) {
              controller.enqueue(line({ table: item.table, status: "missing" }));
              return;
            }
            const p = item.protection;
            try {
              const result = await callAsCaller<z.output<typeof ProtectTableReport>>(req, ctx, (tx) => tx`
                select public.protect_table(${item.table}::regclass, ${p.scope}, ${p.column}, ${p.read_permission}, ${p.write_permission}) as result`);
              controller.enqueue(line({ table: item.table, status: "applied", report: result }));
            } catch (error) {
              const apiError = asApiError(error);
              const refused = apiError.status === 403;
              if (apiError.status >= 500) log({ level: "error", debug_id: ctx.debugId, event: "rls_apply", table: item.table, cause: String(error) });
              controller.enqueue(line({ table: item.table, status: refused ? "refused" : "failed", error: errorBody(apiError, ctx.debugId).error }));
              // The caller lost rls:manage (or the token its scope): every further table would be refused too.
              if (refused) controller.close();
            }
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
    },
  }),
];

// ── USER_MGMT_RLS_ENFORCE ────────────────────────────────────────────────────

interface Reapplied {
  table: string;
  status: "unchanged" | "repaired" | "missing" | "failed";
  drift?: string[];
  policies_created?: string[];
  error?: string;
}

/** Repairs every registered table that drifted, as the function's own role; logs one summary line. */
export async function enforceProtectedTables(sql: Sql, enabled: boolean): Promise<Reapplied[]> {
  const started = performance.now();
  if (!enabled) {
    log({ level: "info", event: "rls_enforce", enabled: false, message: "USER_MGMT_RLS_ENFORCE is off: registered tables left as they are" });
    return [];
  }
  const results: Reapplied[] = [];
  try {
    const tables = await sql<{ schema_name: string; table_name: string }[]>`
      select t.schema_name, t.table_name from private.protected_tables t order by t.schema_name, t.table_name`;
    for (const { schema_name, table_name } of tables) {
      try {
        // One table per transaction; never queue behind a long transaction holding the table.
        const [row] = await sql.begin(async (tx) => {
          await tx`set local lock_timeout = '2s'`;
          return tx<{ result: Reapplied }[]>`select private.reapply_protected_table(${schema_name}, ${table_name}) as result`;
        });
        results.push(row.result);
      } catch (error) {
        results.push({ table: `${schema_name}.${table_name}`, status: "failed", error: error instanceof Error ? error.message : String(error) });
      }
    }
  } catch (error) {
    log({ level: "error", event: "rls_enforce", enabled: true, message: "could not read the protect_table registry", cause: String(error) });
    return results;
  }
  const named = (status: Reapplied["status"]) => results.filter((r) => r.status === status).map((r) => r.table);
  const failed = results.filter((r) => r.status === "failed");
  log({
    level: failed.length > 0 ? "warn" : "info",
    event: "rls_enforce",
    enabled: true,
    tables: results.length,
    unchanged: named("unchanged").length,
    repaired: results.filter((r) => r.status === "repaired").map((r) => ({ table: r.table, drift: r.drift, policies_created: r.policies_created })),
    missing: named("missing"),
    failed: failed.map((r) => ({ table: r.table, error: r.error })),
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
  });
  return results;
}

let enforcement: Promise<unknown> | undefined;

/** The hosted edge runtime's hook for work that outlives a response (absent under plain `deno serve`). */
const edgeRuntime = (globalThis as { EdgeRuntime?: { waitUntil(task: Promise<unknown>): void } }).EdgeRuntime;

/**
 * Once per isolate, at its first request with credentials (an anonymous fetch of the
 * OpenAPI document starts nothing): in the background, never awaited by the request, and
 * registered with EdgeRuntime.waitUntil so the platform does not cut it off.
 */
export function enforceProtectedTablesOnce(ctx: Context): void {
  if (enforcement || ctx.caller.role === "anon") return;
  enforcement = enforceProtectedTables(ctx.sql, ctx.toggles.rlsEnforce).catch((error) =>
    log({ level: "error", event: "rls_enforce", cause: String(error) })
  );
  edgeRuntime?.waitUntil(enforcement);
}
