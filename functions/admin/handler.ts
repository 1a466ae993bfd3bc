// The admin HTTP API (SPEC F14): routes to plain (request, context) handlers.
// Authorization is not decided here: each handler calls SQL as the caller.
import { Hono } from "hono";
import { methodNotAllowed, notFound } from "../_shared/errors.ts";
import type { Context, Handler } from "../_shared/http.ts";
import { deleteRoleOverrides, getRoleOverrides, putRoleOverrides } from "./role-overrides.ts";

const routes = new Hono<{ Bindings: Context }>();
routes.get("/admin/users/:id/role-overrides", (c) => getRoleOverrides(c.req.raw, c.env, c.req.param("id")));
routes.put("/admin/users/:id/role-overrides", (c) => putRoleOverrides(c.req.raw, c.env, c.req.param("id")));
routes.delete("/admin/users/:id/role-overrides", (c) => deleteRoleOverrides(c.req.raw, c.env, c.req.param("id")));
routes.all("/admin/users/:id/role-overrides", (c) => {
  throw methodNotAllowed(c.req.method);
});
routes.notFound((c) => {
  throw notFound(`no route ${c.req.method} ${c.req.path}`);
});
// Errors reach the shared pipeline, which formats them with the debug id.
routes.onError((error) => {
  throw error;
});

export const admin: Handler = (req, ctx) => routes.fetch(req, ctx);
