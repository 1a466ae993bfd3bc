// Memory of running processes (Linux /proc), and whether it grows: for the soak.
import { readFileSync } from "node:fs";
import { descendants } from "../stack/processes.ts";

/** Resident memory (VmRSS) of a process and its descendants, in MB. */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (match) kb += Number(match[1]);
    } catch {
      // exited between the listing and the read
    }
  }
  return kb / 1024;
}

/**
 * Growth of a memory series (MB, sampled at a steady rate): the lowest sample of its last
 * third minus the lowest of its first third. A garbage-collected heap under load is a
 * sawtooth (the soak's Deno functions swing by about 40 MB within seconds), so first
 * and last samples, or a regression line over a minute, mostly say where in the swing
 * the run began and ended. What a collection cannot reclaim raises the troughs, and a
 * leak shows there. V8 lets even the troughs climb for a few minutes before a full
 * collection resets them, so a short series overstates growth: judge over minutes.
 */
export function floorGrowthMb(samples: number[]): number {
  const third = Math.max(1, Math.floor(samples.length / 3));
  return Math.min(...samples.slice(-third)) - Math.min(...samples.slice(0, third));
}
