// Edge function entrypoint (config.toml [functions.me]); `deno serve` runs it.
import { defineFunction } from "../_shared/http.ts";
import { me } from "./handler.ts";

export default defineFunction({ name: "me", auth: ["user"], handler: me, publicPaths: ["/me/openapi.json"] });
