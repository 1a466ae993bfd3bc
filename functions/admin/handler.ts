// The admin HTTP API (SPEC F14): routes to plain (request, context) handlers.
// Authorization is not decided here: each handler calls SQL as the caller.
import { createRouter, toHandler } from "../_shared/router.ts";
import { deleteRoleOverrides, getRoleOverrides, putRoleOverrides } from "./role-overrides.ts";

const routes = createRouter();
routes.get("/admin/users/:id/role-overrides", (c) => getRoleOverrides(c.req.raw, c.env, c.req.param("id")));
routes.put("/admin/users/:id/role-overrides", (c) => putRoleOverrides(c.req.raw, c.env, c.req.param("id")));
routes.delete("/admin/users/:id/role-overrides", (c) => deleteRoleOverrides(c.req.raw, c.env, c.req.param("id")));

export const admin = toHandler(routes, ["/admin/users/:id/role-overrides"]);
