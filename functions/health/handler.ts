// GET /functions/v1/health — proves the whole request path: gateway → Deno →
// credential check → a database round trip under the caller's own identity.
import { withIdentity } from "../_shared/db.ts";
import { methodNotAllowed, notFound } from "../_shared/errors.ts";
import { json, type Context } from "../_shared/http.ts";

export async function health(req: Request, ctx: Context): Promise<Response> {
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  if (!path.endsWith("/health")) throw notFound(`no route ${path}`);
  if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed(req.method, ["GET", "HEAD"]);

  const started = performance.now();
  const [row] = await withIdentity(
    ctx.sql,
    ctx.caller,
    (tx) => tx<{ db_role: string; subject: string | null; server_version: string }[]>`
      select current_user as db_role,
             auth.jwt() ->> 'sub' as subject,
             current_setting('server_version') as server_version`,
    { method: req.method, path },
  );
  return json({
    status: "ok",
    caller: { mode: ctx.caller.mode, role: ctx.caller.role, user_id: ctx.caller.userId },
    database: {
      ok: true,
      role: row.db_role,
      subject: row.subject,
      server_version: row.server_version,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
    },
  });
}
