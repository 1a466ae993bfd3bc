// Calling Tenantry's SQL functions as the caller: the function checks permissions and
// audits; a refusal comes back as {"error": {...}} after the audit row is committed,
// and becomes a 403 here.
import { withIdentity, type Tx } from "./db.ts";
import { ApiError } from "./errors.ts";
import type { Context } from "./http.ts";
import { takeDeferredInputError } from "./validation.ts";

interface Refusal {
  error: { code: string; message: string };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && "error" in value && typeof (value as Refusal).error?.message === "string";
}

// What the audit log records about the request (PostgREST passes every header; we pass these).
const AUDITED_HEADERS = ["user-agent", "x-forwarded-for", "x-real-ip"];

function auditedHeaders(req: Request, debugId: string): Record<string, string> {
  const headers: Record<string, string> = { "x-debug-id": debugId };
  for (const name of AUDITED_HEADERS) {
    const value = req.headers.get(name);
    if (value) headers[name] = value;
  }
  return headers;
}

export async function callAsCaller<T>(req: Request, ctx: Context, query: (tx: Tx) => Promise<{ result: T }[]>): Promise<T> {
  const path = new URL(req.url).pathname;
  const headers = auditedHeaders(req, ctx.debugId);
  // Input the SQL cannot hold (a NUL) was replaced so the call can run its permission check:
  // a refusal commits (the denial is audited) and answers 403; anything else is rolled back
  // and answered with the input error.
  const invalid = takeDeferredInputError(req);
  const run = invalid
    ? async (tx: Tx) => {
      let rows: { result: T }[];
      try {
        rows = await query(tx);
      } catch {
        throw invalid;
      }
      if (!isRefusal(rows[0]?.result)) throw invalid;
      return rows;
    }
    : query;
  const [row] = await withIdentity(ctx.sql, ctx.caller, run, { method: req.method, path, headers, writable: true });
  if (isRefusal(row.result)) throw new ApiError(403, row.result.error.code, row.result.error.message);
  return row.result;
}
