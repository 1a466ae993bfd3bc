// Process bookkeeping for `npm start` / `npm run stop` (Linux /proc): who our ancestors
// are (so the stack stops when the `npm` that started it is killed; npm does not pass
// SIGTERM on), and which running stacks there are (so `npm run stop` can stop them).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stateDir } from "./settings.ts";

interface ProcStat {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: tells a live process from a reused pid. */
  start: string;
  /** R, S, D, Z (zombie), ... */
  state: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain anything.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0], ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return undefined;
  }
}

/** Whether the process that had this start time still runs (and is not a zombie). */
export function isAlive(pid: number, start?: string): boolean {
  const stat = procStat(pid);
  return stat !== undefined && (start === undefined || stat.start === start) && stat.state !== "Z";
}

/** Our ancestors up to (not including) init: the tsx launcher, npm, the shell, ... */
export function ancestors(pid = process.pid): ProcStat[] {
  const chain: ProcStat[] = [];
  let stat = procStat(pid);
  while (stat && stat.ppid > 1) {
    const parent = procStat(stat.ppid);
    if (!parent) break;
    chain.push(parent);
    stat = parent;
  }
  return chain;
}

/** Every descendant of pid, found by walking /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of existsSync("/proc") ? readdirSync("/proc") : []) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Calls onGone once when any ancestor exits: `npm start` killed with SIGTERM exits
 * without signalling its child, and tsx would live on with our process under it.
 */
export function watchAncestors(onGone: (pid: number) => void, intervalMs = 200): () => void {
  if (!existsSync("/proc/self/stat")) return () => {};
  const watched = ancestors();
  const timer = setInterval(() => {
    const gone = watched.find((a) => !isAlive(a.pid, a.start));
    if (gone) {
      clearInterval(timer);
      onGone(gone.pid);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

// ── running stacks, for `npm run stop` ──────────────────────────────────────
const stacksDir = path.join(stateDir, "stacks");

export interface StackRecord {
  pid: number;
  start: string;
  /** The database it serves: "local", or a digest of the SUPABASE_DB_URL it was started with (no password on disk). */
  database: string;
  gatewayPort: number;
}

export function databaseKey(externalUrl: string | undefined): string {
  return externalUrl ? createHash("sha256").update(externalUrl).digest("hex") : "local";
}

export function recordStack(record: Omit<StackRecord, "pid" | "start">): () => void {
  mkdirSync(stacksDir, { recursive: true });
  const file = path.join(stacksDir, `${process.pid}.json`);
  const full: StackRecord = { pid: process.pid, start: procStat(process.pid)?.start ?? "", ...record };
  writeFileSync(file, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** Running stacks (records of exited ones are removed on the way). */
export function runningStacks(): StackRecord[] {
  if (!existsSync(stacksDir)) return [];
  const live: StackRecord[] = [];
  for (const file of readdirSync(stacksDir).filter((f) => f.endsWith(".json"))) {
    const full = path.join(stacksDir, file);
    try {
      const record = JSON.parse(readFileSync(full, "utf8")) as StackRecord;
      if (isAlive(record.pid, record.start || undefined)) live.push(record);
      else rmSync(full, { force: true });
    } catch {
      rmSync(full, { force: true });
    }
  }
  return live;
}

export async function waitForExit(pid: number, start: string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid, start)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
