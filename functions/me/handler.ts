// /functions/v1/me — the caller's own account: profile, organizations, roles,
// permissions (GET /me) and personal access tokens (/me/tokens). A third-party user's
// first request here is what provisions them (SPEC F2).
import { Hono } from "hono";
import { methodNotAllowed, notFound } from "../_shared/errors.ts";
import { json, type Context, type Handler } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { createToken, listTokens, revokeToken } from "./tokens.ts";

async function profile(req: Request, ctx: Context): Promise<Response> {
  const result = await callAsCaller(req, ctx, (tx) => tx<{ result: Record<string, unknown> | null }[]>`select public.me() as result`);
  if (!result) throw notFound("no profile for this user yet: sign in again or call ensure_provisioned");
  return json(result);
}

const routes = new Hono<{ Bindings: Context }>();
routes.get("/me", (c) => profile(c.req.raw, c.env));
routes.get("/me/tokens", (c) => listTokens(c.req.raw, c.env));
routes.post("/me/tokens", (c) => createToken(c.req.raw, c.env));
routes.delete("/me/tokens/:id", (c) => revokeToken(c.req.raw, c.env, c.req.param("id")));
routes.all("*", (c) => {
  throw ["/me", "/me/tokens"].includes(c.req.path) || c.req.path.startsWith("/me/tokens/")
    ? methodNotAllowed(c.req.method)
    : notFound(`no route ${c.req.method} ${c.req.path}`);
});
routes.onError((error) => {
  throw error;
});

export const me: Handler = (req, ctx) => routes.fetch(req, ctx);
