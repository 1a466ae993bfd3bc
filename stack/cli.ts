// Entry point behind the npm scripts: start, stop, db:reset, token, types, console:build.
// (`npm test` is stack/test.ts, `npm run bench` is bench/run.ts.)
import { AuthService } from "./auth.ts";
import { ensureDatabase, redact, resetDatabase } from "./database.ts";
import { writeGeneratedFiles } from "./checks.ts";
import { consoleDist, ensureConsoleBuilt } from "./console.ts";
import { startStack } from "./stack.ts";
import { externalDbUrl, local } from "./settings.ts";
import { stopCluster } from "./cluster.ts";
import { databaseKey, recordStack, runningStacks, waitForExit, watchAncestors } from "./processes.ts";

const usage = `usage: tsx stack/cli.ts <command>
  start            bring up database, edge functions and gateway; serve until interrupted
  stop             stop every running \`start\` and then the local database
  reset            drop and rebuild the local database (platform layer, migrations, seed)
  console-build    build the admin console into console/dist
  token <email>    print an access token for that user, creating the user on first use
  types            regenerate the generated files: supabase/types/database.ts, client/openapi/*.json, client/types/*.ts,
                   functions/_shared/migrations.ts`;

function gatewayUrl(): string {
  return process.env.SUPABASE_URL?.replace(/\/+$/, "") || `http://${local.host}:${local.gatewayPort}`;
}

async function start(): Promise<void> {
  const began = Date.now();
  // Listen from the first moment: a signal during boot stops the stack as soon as it is
  // up (children included) instead of killing this process and orphaning them. npm
  // exits on SIGTERM without passing it on, so a vanished ancestor counts as a signal.
  let why: string | undefined;
  const stopRequested = new Promise<void>((resolve) => {
    const request = (reason: string) => {
      why ??= reason;
      resolve();
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => request(signal));
    watchAncestors((pid) => request(`parent process ${pid} exited`));
  });
  const db = await ensureDatabase();
  if (why) return console.log(`stopping (${why}) ...`);
  // The feature toggles and identity-provider bounds of this shell reach the functions (and
  // the console follows USER_MGMT_UI).
  const toggles = Object.fromEntries(
    ["USER_MGMT_CORE", "USER_MGMT_UI", "USER_MGMT_ENFORCE", "USER_MGMT_RLS_ENFORCE", "IDP_TIMEOUT_MS", "IDP_JWKS_MAX_AGE_S", "IDP_RETRY_S"].flatMap((name) =>
      process.env[name] !== undefined ? [[name, process.env[name]!]] : [],
    ),
  );
  const stack = await startStack({ db, port: local.gatewayPort, functionVariables: toggles });
  const forget = recordStack({ database: databaseKey(externalDbUrl()), gatewayPort: local.gatewayPort });
  try {
    if (!why) {
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      console.log(`
Tenantry local stack is up (${seconds}s)
  API gateway     ${stack.url}
  Functions       ${stack.url}/functions/v1/<name>   (${stack.functions.map((f) => f.name).join(", ")})
  Admin console   ${stack.consoleUrl ?? "off (USER_MGMT_UI)"}${stack.consoleUrl ? "   (development sign-in: any email)" : ""}
  JWKS            ${stack.url}/auth/v1/.well-known/jwks.json
  Auth admin      ${stack.url}/auth/v1/admin/users, /auth/v1/invite   (secret key; supabase.auth.admin)
  Auth sign-in    ${stack.url}/auth/v1/token, /otp, /verify   (supabase-js signInWithPassword, signInWithOtp)
  Mailbox         ${stack.url}/mailbox/messages?to=<email>   (the magic links Auth would have sent)
  Database        ${redact(db.url)}
  Publishable key ${stack.keys.publishableKey}
  Secret key      ${stack.keys.secretKey}

Try it:
  TOKEN=$(npm run -s token -- alice@example.com)
  curl -H "Authorization: Bearer $TOKEN" ${stack.url}/functions/v1/health

Press Ctrl+C (or run \`npm run stop\`) to stop.`);
      await stopRequested;
    }
    console.log(`stopping (${why}) ...`);
  } finally {
    await stack.stop();
    forget();
  }
}

/** Stops the running stacks (SIGTERM, then waits), then the local cluster. */
async function stop(): Promise<void> {
  const external = externalDbUrl();
  // With SUPABASE_DB_URL set, only the stacks serving that database; else all of them.
  const stacks = runningStacks().filter((s) => !external || s.database === databaseKey(external));
  for (const s of stacks) {
    process.kill(s.pid, "SIGTERM");
    const exited = await waitForExit(s.pid, s.start || undefined, 15_000);
    console.log(exited ? `stopped npm start (pid ${s.pid}, gateway port ${s.gatewayPort})` : `npm start (pid ${s.pid}) did not stop within 15 s`);
    if (!exited) process.exitCode = 1;
  }
  if (stacks.length === 0) console.log("no running npm start");
  if (external) {
    console.log("SUPABASE_DB_URL is set: the local database is left alone");
    return;
  }
  await stopCluster();
  console.log("local database stopped");
}

async function token(email: string | undefined): Promise<void> {
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error("usage: npm run token -- <email>");
  const db = await ensureDatabase({ quiet: true });
  const auth = new AuthService({ authAdminUrl: db.authAdminUrl, supabaseUrl: gatewayUrl() });
  try {
    const issued = await auth.tokenFor(email);
    process.stdout.write(`${issued.accessToken}\n`);
  } finally {
    await auth.close();
  }
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "start":
      return start();
    case "stop":
      return stop();
    case "reset": {
      const db = await resetDatabase();
      console.log(`database rebuilt: ${redact(db.url)}`);
      return;
    }
    case "token":
      return token(args[0]);
    case "console-build":
      await ensureConsoleBuilt({ force: true });
      console.log(`built ${consoleDist}`);
      return;
    case "types": {
      const db = await ensureDatabase({ quiet: true });
      const files = await writeGeneratedFiles(db.url);
      console.log(`wrote ${files.join(", ")}${externalDbUrl() ? " (database types from SUPABASE_DB_URL)" : ""}`);
      return;
    }
    default:
      console.error(usage);
      process.exitCode = 2;
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
  process.exit(1);
});
