// Edge function entrypoint (config.toml [functions.plans]); `deno serve` runs it.
import { defineFunction } from "../_shared/http.ts";
import { plans } from "./handler.ts";

export default defineFunction({ name: "plans", auth: ["publishable", "none"], handler: plans });
