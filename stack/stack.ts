// The whole local stack: database (migrated), edge functions in Deno, gateway (with the
// Supabase Auth stand-in behind its admin endpoints).
import { AuthService } from "./auth.ts";
import { distrustAuthIssuer, trustAuthIssuer, type Database } from "./database.ts";
import { freePort, functionEnv, startFunction, stopFunction, type RunningFunction } from "./functions.ts";
import { readToggles } from "../functions/_shared/config.ts";
import { ensureConsoleBuilt } from "./console.ts";
import { startGateway } from "./gateway.ts";
import { projectKeys, type ProjectKeys } from "./keys.ts";
import { loadProjectConfig } from "./project-config.ts";

export interface Stack {
  url: string;
  /** The admin console's address, or undefined when USER_MGMT_UI turns it off. */
  consoleUrl?: string;
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
  /** Extra function environment (the USER_MGMT_* toggles); the gateway's console follows their USER_MGMT_UI. */
  functionVariables?: Record<string, string>;
}

export async function startStack({ db, port, output = console.log, checkResponses = true, functionVariables = {} }: StackOptions): Promise<Stack> {
  const gatewayPort = port || (await freePort());
  const url = `http://127.0.0.1:${gatewayPort}`;
  const keys = await projectKeys();
  const issuer = `${url}/auth/v1`;
  const trustedHere = await trustAuthIssuer(db.url, issuer);
  // Best effort: a failure here must not hide why the stack stopped.
  const untrust = async () => {
    if (trustedHere) await distrustAuthIssuer(db.url, issuer).catch(() => {});
  };
  const env = { ...(await functionEnv({ supabaseUrl: url, dbUrl: db.url, checkResponses })), ...functionVariables };
  const consoleEnabled = readToggles(env).ui;
  // Built while nothing else runs yet, and only when its sources changed (about a second).
  if (consoleEnabled) await ensureConsoleBuilt({ quiet: true });
  const started = await Promise.allSettled(loadProjectConfig().functions.map((fn) => startFunction(fn, env, output)));
  const functions = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    // One function failed to boot: stop the others rather than leave them running.
    await Promise.all(functions.map(stopFunction));
    await untrust();
    throw (failure as PromiseRejectedResult).reason;
  }
  const auth = new AuthService({ authAdminUrl: db.authAdminUrl, supabaseUrl: url });
  try {
    const gateway = await startGateway(functions, auth, gatewayPort, undefined, { enabled: consoleEnabled, publishableKey: keys.publishableKey });
    return {
      url,
      consoleUrl: consoleEnabled ? `${url}/console/` : undefined,
      db,
      keys,
      functions,
      async stop() {
        await gateway.close();
        await Promise.all([auth.close(), ...functions.map(stopFunction)]);
        await untrust();
      },
    };
  } catch (error) {
    await Promise.all([auth.close(), ...functions.map(stopFunction)]);
    await untrust();
    throw error;
  }
}
