// Edge function entrypoint (config.toml [functions.admin]); `deno serve` runs it.
import { defineFunction } from "../_shared/http.ts";
import { admin } from "./handler.ts";

export default defineFunction({ name: "admin", auth: ["user", "secret", "metrics"], handler: admin, publicPaths: ["/admin/openapi.json"], core: true });
