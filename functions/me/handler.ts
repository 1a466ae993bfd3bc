// /functions/v1/me — the caller's own account: profile, organizations, roles,
// permissions (GET /me) and personal access tokens (/me/tokens). A third-party user's
// first request here is what provisions them (SPEC F2).
import { notFound } from "../_shared/errors.ts";
import { json, type Context } from "../_shared/http.ts";
import { createRouter, toHandler } from "../_shared/router.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { createToken, listTokens, revokeToken } from "./tokens.ts";

async function profile(req: Request, ctx: Context): Promise<Response> {
  const result = await callAsCaller(req, ctx, (tx) => tx<{ result: Record<string, unknown> | null }[]>`select public.me() as result`);
  if (!result) throw notFound("no profile for this user yet: sign in again or call ensure_provisioned");
  return json(result);
}

const routes = createRouter();
routes.get("/me", (c) => profile(c.req.raw, c.env));
routes.get("/me/tokens", (c) => listTokens(c.req.raw, c.env));
routes.post("/me/tokens", (c) => createToken(c.req.raw, c.env));
routes.delete("/me/tokens/:id", (c) => revokeToken(c.req.raw, c.env, c.req.param("id")));

export const me = toHandler(routes, ["/me", "/me/tokens", "/me/tokens/:id"]);
