// The stack's own commands as a developer runs them (issue 10 items 22, 23): `npm start`
// stops every child on SIGINT/SIGTERM, `npm run stop` stops a running `npm start`, and a
// command whose TENANTRY_DB_PORT differs from the cluster's says so. The started stacks
// serve the test database (SUPABASE_DB_URL), never the developer's.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { clusterPort } from "../../stack/cluster.ts";
import { freePort } from "../../stack/functions.ts";
import { descendants, isAlive } from "../../stack/processes.ts";
import { externalDbUrl, projectRoot } from "../../stack/settings.ts";
import { stack } from "../helpers/stack.ts";

const exec = promisify(execFile);
const tsx = path.join(projectRoot, "node_modules", ".bin", "tsx");
const started: ChildProcess[] = [];

afterAll(() => {
  // Only if a test failed half-way: end what this file started, by process group id.
  // npm itself may be gone while what it started lives on in its group: signal the group.
  for (const child of started) {
    if (!child.pid) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // the whole group is gone, as it should be
    }
  }
});

async function stackEnv(): Promise<NodeJS.ProcessEnv> {
  return { ...process.env, SUPABASE_DB_URL: stack.dbUrl, TENANTRY_GATEWAY_PORT: String(await freePort()) };
}

interface Started {
  npm: ChildProcess;
  children: number[];
  exited: Promise<void>;
  env: NodeJS.ProcessEnv;
}

/**
 * `npm start` on a free gateway port. The port is free when picked, not reserved: another
 * process may take it before npm start binds it (the gateway then refuses to start), so a
 * start refused for that reason alone is tried again on another port.
 */
async function npmStartOnFreePort(): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const env = await stackEnv();
    try {
      return { ...(await npmStart(env)), env };
    } catch (error) {
      if (attempt === 3 || !String(error).includes("the port is in use")) throw error;
    }
  }
}

/** `npm start` in its own process group; resolves once the stack is up, with every pid under npm. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<{ npm: ChildProcess; children: number[]; exited: Promise<void> }> {
  const npm = spawn("npm", ["start"], { cwd: projectRoot, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.push(npm);
  const exited = new Promise<void>((resolve) => npm.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("Tenantry local stack is up")) {
        clearTimeout(timer);
        resolve();
      }
    };
    npm.stdout!.on("data", onData);
    npm.stderr!.on("data", onData);
    npm.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  const children = descendants(npm.pid!);
  return { npm, children, exited };
}

async function allGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter((pid) => isAlive(pid));
  while (alive.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = pids.filter((pid) => isAlive(pid));
  }
  return alive;
}

const denoCount = async (pids: number[]) =>
  (await Promise.all(pids.map((pid) => exec("ps", ["-o", "comm=", "-p", String(pid)]).then((r) => r.stdout.trim(), () => "")))).filter((c) =>
    c.startsWith("deno"),
  ).length;

describe.concurrent("stopping npm start", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} to the npm process stops every child: no tsx, gateway or deno left`, async () => {
      const { npm, children } = await npmStartOnFreePort();
      expect(await denoCount(children)).toBeGreaterThanOrEqual(3);
      process.kill(npm.pid!, signal);
      expect(await allGone([npm.pid!, ...children])).toEqual([]);
    });
  }

});

// After the signal tests, not beside them: `npm run stop` stops every stack serving its database.
describe("npm run stop", () => {
  it("`npm run stop` stops a running npm start and everything under it", async () => {
    const { npm, children, env } = await npmStartOnFreePort();
    const { stdout } = await exec("npm", ["run", "-s", "stop"], { cwd: projectRoot, env });
    expect(stdout).toMatch(/stopped npm start \(pid \d+, gateway port \d+\)/);
    // With SUPABASE_DB_URL set, stop leaves the local database (here: the one the tests use) running.
    expect(stdout).toMatch(/SUPABASE_DB_URL is set: the local database is left alone/);
    expect(await allGone([npm.pid!, ...children])).toEqual([]);
  });
});

describe("the cluster's port", () => {
  if (externalDbUrl()) {
    it("with SUPABASE_DB_URL set, TENANTRY_DB_PORT does not matter: the local cluster is not used", async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, TENANTRY_DB_PORT: "54399", SUPABASE_URL: stack.url };
      const { stdout } = await exec(tsx, ["stack/cli.ts", "token", `ports-${Date.now()}@example.test`], { cwd: projectRoot, env });
      expect(stdout.trim()).toMatch(/^ey/);
    });
    return;
  }

  it("a command with another TENANTRY_DB_PORT than the cluster's fails naming both ports and the variable", async () => {
    const port = clusterPort()!;
    const other = port === 54399 ? 54398 : 54399;
    const env: NodeJS.ProcessEnv = { ...process.env, TENANTRY_DB_PORT: String(other) };
    delete env.SUPABASE_DB_URL;
    delete env.DATABASE_URL;
    const failure = await exec(tsx, ["stack/cli.ts", "token", "ports@example.test"], { cwd: projectRoot, env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`the local cluster was created on port ${port}, but TENANTRY_DB_PORT is ${other}`);
    expect(failure?.stderr).toContain(`TENANTRY_DB_PORT=${port}`);
  });
});
