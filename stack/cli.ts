// Entry point behind the npm scripts: start, db:reset, token, types.
// (`npm test` is stack/test.ts, `npm run bench` is bench/run.ts.)
import { AuthService } from "./auth.ts";
import { ensureDatabase, redact, resetDatabase } from "./database.ts";
import { writeGeneratedTypes } from "./checks.ts";
import { startStack } from "./stack.ts";
import { externalDbUrl, local } from "./settings.ts";

const usage = `usage: tsx stack/cli.ts <command>
  start            bring up database, edge functions and gateway; serve until interrupted
  reset            drop and rebuild the local database (platform layer, migrations, seed)
  token <email>    print an access token for that user, creating the user on first use
  types            regenerate supabase/types/database.ts from the migrated schema`;

function gatewayUrl(): string {
  return process.env.SUPABASE_URL?.replace(/\/+$/, "") || `http://${local.host}:${local.gatewayPort}`;
}

async function start(): Promise<void> {
  const began = Date.now();
  const db = await ensureDatabase();
  const stack = await startStack({ db, port: local.gatewayPort });
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  console.log(`
Tenantry local stack is up (${seconds}s)
  API gateway     ${stack.url}
  Functions       ${stack.url}/functions/v1/<name>   (${stack.functions.map((f) => f.name).join(", ")})
  JWKS            ${stack.url}/auth/v1/.well-known/jwks.json
  Database        ${redact(db.url)}
  Publishable key ${stack.keys.publishableKey}
  Secret key      ${stack.keys.secretKey}

Try it:
  TOKEN=$(npm run -s token -- alice@example.com)
  curl -H "Authorization: Bearer $TOKEN" ${stack.url}/functions/v1/health

Press Ctrl+C to stop.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("stopping ...");
  await stack.stop();
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
    case "reset": {
      const db = await resetDatabase();
      console.log(`database rebuilt: ${redact(db.url)}`);
      return;
    }
    case "token":
      return token(args[0]);
    case "types": {
      const db = await ensureDatabase({ quiet: true });
      const file = await writeGeneratedTypes(db.url);
      console.log(`wrote ${file}${externalDbUrl() ? " (from SUPABASE_DB_URL)" : ""}`);
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
