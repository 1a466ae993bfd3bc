// The admin console (console/): built into console/dist when missing or older than its
// sources, and served by the local gateway under /console/ (stack/gateway.ts).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { projectRoot } from "./settings.ts";
import { run } from "./shell.ts";

export const consoleDir = path.join(projectRoot, "console");
export const consoleDist = path.join(consoleDir, "dist");
const stampFile = path.join(consoleDist, ".built");

/** What the build reads: the console's sources and config, the typed client, the lock file. */
const inputs = [path.join(consoleDir, "src"), path.join(consoleDir, "index.html"), path.join(consoleDir, "vite.config.ts"), path.join(projectRoot, "client"), path.join(projectRoot, "package-lock.json")];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/** Builds the console unless console/dist is newer than everything it is built from. Returns whether it built. */
export async function ensureConsoleBuilt(options: { quiet?: boolean; force?: boolean } = {}): Promise<boolean> {
  const sources = Math.max(...inputs.map(newestMtime));
  const built = existsSync(stampFile) ? statSync(stampFile).mtimeMs : 0;
  if (!options.force && built >= sources && existsSync(path.join(consoleDist, "index.html"))) return false;
  if (!options.quiet) console.log("building the admin console (console/dist) ...");
  // Built beside dist and swapped in, so a running `npm start` never serves a half-written build.
  const staging = `${consoleDist}.${process.pid}`;
  try {
    await run(path.join(projectRoot, "node_modules", ".bin", "vite"), ["build", "--config", path.join(consoleDir, "vite.config.ts"), "--outDir", staging], { cwd: projectRoot });
    writeFileSync(path.join(staging, ".built"), `${new Date().toISOString()}\n`);
    rmSync(consoleDist, { recursive: true, force: true });
    renameSync(staging, consoleDist);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return true;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/**
 * Serves a file of console/dist for a path under /console/ (percent-decoded); any other path
 * there is the app's index.html (its screens are client-side). Hashed assets are cached for
 * good, index.html never.
 */
export function serveConsoleFile(res: http.ServerResponse, subpath: string): void {
  const relative = path.normalize(subpath).replace(/^([/\\])+/, "");
  let file = path.join(consoleDist, relative);
  if (!file.startsWith(consoleDist + path.sep) || !existsSync(file) || statSync(file).isDirectory() || path.basename(file).startsWith(".")) {
    file = path.join(consoleDist, "index.html");
  }
  if (!existsSync(file)) {
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("the console is not built: npm run console:build");
    return;
  }
  const immutable = file.startsWith(path.join(consoleDist, "assets") + path.sep);
  res.writeHead(200, {
    "content-type": contentTypes[path.extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  res.end(readFileSync(file));
}
