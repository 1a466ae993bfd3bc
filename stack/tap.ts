// Counting a pgTAP file's TAP output with tap-parser. A file that dies part-way counts
// every planned test it did not run as a failure; one that dies before printing a plan
// (or prints no test at all) counts at least one failure. A crash is failures, never
// fewer tests.
import { Parser } from "tap-parser";

export interface TapCount {
  passed: number;
  failed: number;
  /** Tests the plan announced, when there was one. */
  planned?: number;
  /** Test points that actually ran. */
  ran: number;
  /** Why the file counts failures beyond its `not ok` lines (missing tests, no plan, exit code). */
  problems: string[];
}

/** Counts one file's TAP stream; `exitCode` is the exit status of the process that printed it. */
export function countTap(tap: string, exitCode: number): Promise<TapCount> {
  return new Promise((resolve) => {
    const parser = new Parser();
    let passed = 0;
    let notOk = 0;
    parser.on("assert", (result: { ok: boolean; todo?: unknown; skip?: unknown }) => {
      if (result.ok || result.todo || result.skip) passed += 1;
      else notOk += 1;
    });
    parser.on("complete", (summary: { plan: { start: number; end: number; skipAll: boolean } | undefined; bailout: unknown }) => {
      const ran = passed + notOk;
      const problems: string[] = [];
      const plan = summary.plan;
      const hasPlan = plan !== undefined && !(plan.skipAll && ran === 0 && plan.end < plan.start);
      const planned = hasPlan ? Math.max(0, plan!.end - plan!.start + 1) : undefined;
      let missing = 0;
      if (planned === undefined) {
        missing = 1;
        problems.push("no plan printed: the file died before planning its tests");
      } else if (planned > ran) {
        missing = planned - ran;
        problems.push(`planned ${planned} tests but ran ${ran}: ${missing} counted as failed`);
      } else if (planned < ran) {
        problems.push(`planned ${planned} tests but ran ${ran}`);
        missing = 1;
      }
      if (summary.bailout) problems.push("bailed out");
      if (exitCode !== 0) {
        problems.push(`exited with status ${exitCode}`);
        // A non-zero exit always fails the file, even when every planned test printed ok.
        if (notOk === 0 && missing === 0) missing = 1;
      }
      resolve({ passed, failed: notOk + missing, planned, ran, problems });
    });
    parser.end(tap);
  });
}
