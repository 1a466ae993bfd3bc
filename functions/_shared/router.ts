// Routing for functions with several endpoints: Hono matches paths, the handlers stay
// plain (request, context) functions, and every error goes back to the shared
// pipeline (http.ts), which answers it with the debug id.
import { Hono } from "hono";
import { methodNotAllowed, notFound } from "./errors.ts";
import type { Context, Handler } from "./http.ts";

export type Router = Hono<{ Bindings: Context }>;

/** A router whose unknown paths are 404 and whose known paths answer other methods with 405. */
export function createRouter(): Router {
  const router: Router = new Hono<{ Bindings: Context }>();
  router.onError((error) => {
    throw error;
  });
  return router;
}

/** Finishes the router: `paths` get 405 for unrouted methods, everything else 404. */
export function toHandler(router: Router, paths: string[]): Handler {
  for (const path of paths) {
    router.all(path, (c) => {
      throw methodNotAllowed(c.req.method);
    });
  }
  router.notFound((c) => {
    throw notFound(`no route ${c.req.method} ${c.req.path}`);
  });
  return (req, ctx) => router.fetch(req, ctx);
}
