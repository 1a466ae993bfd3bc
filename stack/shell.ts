// Running external programs: one place that knows how to drop root to the
// `postgres` OS user and how to report a failed command.
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export interface RunOptions {
  /** Run as the `postgres` OS user when we are root (PostgreSQL refuses to run as root). */
  asPostgres?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Stream output to our terminal instead of capturing it. */
  inherit?: boolean;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function commandLine(cmd: string, args: string[], asPostgres?: boolean): [string, string[]] {
  if (asPostgres && isRoot) return ["runuser", ["-u", "postgres", "--", cmd, ...args]];
  return [cmd, args];
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(
      `command failed (exit ${result.code}): ${command}\n${(result.stderr || result.stdout).trim()}`,
    );
  }
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, argv] = commandLine(cmd, args, options.asPostgres);
  const spawnOptions: SpawnOptions = {
    // As the postgres user, start somewhere it can enter (a checkout under /root it cannot).
    cwd: options.cwd ?? (options.asPostgres && isRoot ? "/" : undefined),
    env: options.env ?? process.env,
    stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["pipe", "pipe", "pipe"],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, spawnOptions);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
    child.on("error", reject);
    child.on("close", (code) => {
      const result = { code: code ?? 1, stdout, stderr };
      if (result.code === 0) resolve(result);
      else reject(new CommandError([cmd, ...args].join(" "), result));
    });
  });
}

/** Whether a program can be found on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}
