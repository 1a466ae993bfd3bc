// Runs each edge function from config.toml in real Deno (`deno serve`), with the
// environment the Supabase platform gives a deployed function.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { FunctionConfig } from "./project-config.ts";
import { projectKeys, jwks } from "./keys.ts";
import { projectRoot } from "./settings.ts";

const denoBin = path.join(projectRoot, "node_modules", ".bin", "deno");

export interface RunningFunction {
  name: string;
  port: number;
  verifyJwt: boolean;
  process: ChildProcess;
}

export interface PlatformEnv {
  supabaseUrl: string;
  dbUrl: string;
  /** Check every answer against its documented schema (the local stack and tests); benchmarks measure without. */
  checkResponses?: boolean;
}

/** The variables the platform injects into every edge function (facts sheet §7). */
export async function functionEnv(platform: PlatformEnv): Promise<Record<string, string>> {
  const keys = await projectKeys();
  return {
    SUPABASE_URL: platform.supabaseUrl,
    SUPABASE_DB_URL: platform.dbUrl,
    SUPABASE_JWKS: JSON.stringify(await jwks()),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    // Locally every answer is checked against its documented schema (a mismatch is a 500 in tests).
    TENANTRY_CHECK_RESPONSES: platform.checkResponses === false ? "0" : "1",
  };
}

// What Deno needs from this machine to fetch and cache npm packages (certificates,
// proxies, cache location); nothing else of our environment reaches the functions.
const MACHINE_VARIABLES = [
  "PATH", "HOME", "DENO_DIR", "DENO_CERT", "DENO_TLS_CA_STORE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "NPM_CONFIG_REGISTRY",
];

function machineEnv(): Record<string, string> {
  return {
    // Trust the machine's certificate store too (registry mirrors behind a corporate CA).
    DENO_TLS_CA_STORE: "mozilla,system",
    ...Object.fromEntries(MACHINE_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]!])),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`function ${name} exited with code ${child.exitCode}`));
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`function ${name} did not listen on ${port} in time`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startFunction(
  fn: FunctionConfig,
  env: Record<string, string>,
  output: (line: string) => void,
): Promise<RunningFunction> {
  const port = await freePort();
  const args = ["serve", "--allow-all", "--quiet", "--host", "127.0.0.1", "--port", String(port)];
  if (fn.importMap) args.push("--config", fn.importMap);
  args.push(fn.entrypoint);
  const child = spawn(denoBin, args, {
    cwd: projectRoot,
    env: { ...machineEnv(), NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) output(`[${fn.name}] ${line}`);
  };
  child.stdout?.on("data", relay);
  child.stderr?.on("data", relay);
  await waitForPort(port, child, fn.name);
  return { name: fn.name, port, verifyJwt: fn.verifyJwt, process: child };
}

/** Stops a function like the platform recycles an isolate: a short grace period, then kill. */
export async function stopFunction(fn: RunningFunction, graceMs = 500): Promise<void> {
  if (fn.process.exitCode !== null || fn.process.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    // Idle database connections would otherwise keep Deno alive until their timeout.
    const kill = setTimeout(() => fn.process.kill("SIGKILL"), graceMs);
    fn.process.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    fn.process.kill("SIGTERM");
  });
}
