// Edge function entrypoint (config.toml [functions.health]); `deno serve` runs it.
import { defineFunction } from "../_shared/http.ts";
import { health } from "./handler.ts";

export default defineFunction({ name: "health", auth: ["user", "secret", "publishable"], handler: health, publicPaths: ["/health/openapi.json"] });
