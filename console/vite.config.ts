// The admin console's build: static files in console/dist, served under /console/ by the
// local gateway (stack/gateway.ts) or by any static host at that path.
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: "/console/",
  plugins: [react()],
  // Build-time fallbacks for the two runtime values (a runtime config.json wins): see console/src/session/config.ts.
  envPrefix: "TENANTRY_CONSOLE_",
  build: { outDir: path.join(here, "dist"), emptyOutDir: true },
  logLevel: "warn",
});
