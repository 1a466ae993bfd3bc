// One more process of an edge function, with extra environment variables (a toggle,
// METRICS_TOKEN), beside the shared stack: how a freshly started isolate with changed
// secrets behaves. Called on its own port, as the gateway would. Every process a test
// file starts is stopped after the file, whether or not its test passed.
import { afterAll } from "vitest";
import { functionEnv, startFunction, stopFunction } from "../../stack/functions.ts";
import { loadProjectConfig } from "../../stack/project-config.ts";
import { stack } from "./stack.ts";

const running = new Set<() => Promise<void>>();
afterAll(() => Promise.all([...running].map((stop) => stop())));

export interface ExtraFunction {
  /** `http://127.0.0.1:<port>/<path>` straight to the function (no gateway). */
  url(path: string): string;
  /** Everything it printed so far (its structured log lines). */
  lines: string[];
  /** Resolves with the first log line that parses as JSON and matches. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts one more process of a function from config.toml with extra environment
 * variables (a toggle, METRICS_TOKEN), as the platform starts a fresh isolate.
 */
export async function startExtraFunction(name: string, env: Record<string, string>): Promise<ExtraFunction> {
  const fn = loadProjectConfig().functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in config.toml`);
  const base = await functionEnv({ supabaseUrl: stack.url, dbUrl: stack.dbUrl });
  const lines: string[] = [];
  const waiters: { match: (entry: Record<string, unknown>) => boolean; resolve: (entry: Record<string, unknown>) => void }[] = [];
  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line.replace(/^\[[^\]]+\] /, ""));
    } catch {
      return undefined;
    }
  };
  const child = await startFunction(fn, { ...base, ...env }, (line) => {
    lines.push(line);
    const entry = parse(line);
    if (!entry) return;
    for (const waiter of [...waiters]) {
      if (waiter.match(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(stop);
    await stopFunction(child);
  };
  running.add(stop);
  return {
    url: (path) => `http://127.0.0.1:${child.port}/${path.replace(/^\//, "")}`,
    lines,
    waitForLog(match) {
      const seen = lines.map(parse).find((entry) => entry && match(entry));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop,
  };
}
