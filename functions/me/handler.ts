// GET /functions/v1/me — the caller's profile, organizations, roles and permissions.
// A third-party user's first request here is what provisions them (SPEC F2).
import { methodNotAllowed, notFound } from "../_shared/errors.ts";
import { json, type Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";

export async function me(req: Request, ctx: Context): Promise<Response> {
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  if (path !== "/me") throw notFound(`no route ${path}`);
  if (req.method !== "GET") throw methodNotAllowed(req.method);
  const result = await callAsCaller(req, ctx, (tx) => tx<{ result: Record<string, unknown> | null }[]>`select public.me() as result`);
  if (!result) throw notFound("no profile for this user yet: sign in again or call ensure_provisioned");
  return json(result);
}
