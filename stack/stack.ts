// The whole local stack: database (migrated), edge functions in Deno, gateway (with the
// Supabase Auth stand-in behind its admin endpoints).
import { AuthService } from "./auth.ts";
import { trustAuthIssuer, type Database } from "./database.ts";
import { freePort, functionEnv, startFunction, stopFunction, type RunningFunction } from "./functions.ts";
import { startGateway } from "./gateway.ts";
import { projectKeys, type ProjectKeys } from "./keys.ts";
import { loadProjectConfig } from "./project-config.ts";

export interface Stack {
  url: string;
  db: Database;
  keys: ProjectKeys;
  functions: RunningFunction[];
  stop(): Promise<void>;
}

export interface StackOptions {
  db: Database;
  /** 0 picks a free port (tests); npm start uses 54321. */
  port: number;
  /** Where function output goes (their structured logs). */
  output?: (line: string) => void;
  /** false: answers are not checked against their documented schemas (benchmarks measure what production runs). */
  checkResponses?: boolean;
}

export async function startStack({ db, port, output = console.log, checkResponses = true }: StackOptions): Promise<Stack> {
  const gatewayPort = port || (await freePort());
  const url = `http://127.0.0.1:${gatewayPort}`;
  const keys = await projectKeys();
  await trustAuthIssuer(db.url, `${url}/auth/v1`);
  const env = await functionEnv({ supabaseUrl: url, dbUrl: db.url, checkResponses });
  const started = await Promise.allSettled(loadProjectConfig().functions.map((fn) => startFunction(fn, env, output)));
  const functions = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    // One function failed to boot: stop the others rather than leave them running.
    await Promise.all(functions.map(stopFunction));
    throw (failure as PromiseRejectedResult).reason;
  }
  const auth = new AuthService({ authAdminUrl: db.authAdminUrl, supabaseUrl: url });
  try {
    const gateway = await startGateway(functions, auth, gatewayPort);
    return {
      url,
      db,
      keys,
      functions,
      async stop() {
        await gateway.close();
        await Promise.all([auth.close(), ...functions.map(stopFunction)]);
      },
    };
  } catch (error) {
    await Promise.all([auth.close(), ...functions.map(stopFunction)]);
    throw error;
  }
}
