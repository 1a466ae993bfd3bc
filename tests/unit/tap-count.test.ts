// pgTAP counting (stack/tap.ts): a crash is failures, never fewer tests (issue 10 item 21).
import { describe, expect, it } from "vitest";
import { countTap } from "../../stack/tap.ts";

const oks = (n: number) => Array.from({ length: n }, (_, i) => `ok ${i + 1} - test ${i + 1}`).join("\n");

describe("pgTAP counting", () => {
  it("a file that dies after plan(40) with 3 ok counts 37 failures", async () => {
    // What psql prints when a statement errors after three tests with ON_ERROR_STOP=1 (exit 3).
    const count = await countTap(`1..40\n${oks(3)}\n`, 3);
    expect(count).toMatchObject({ passed: 3, failed: 37, planned: 40, ran: 3 });
  });

  it("a file that dies after a failing test still counts the tests it never ran", async () => {
    const count = await countTap(`1..10\nok 1\nnot ok 2 - wrong\n# Failed test 2: "wrong"\n`, 3);
    expect(count).toMatchObject({ passed: 1, failed: 9, planned: 10, ran: 2 });
  });

  it("a file that dies before printing a plan counts at least 1 failure", async () => {
    expect(await countTap("", 3)).toMatchObject({ passed: 0, failed: 1, planned: undefined });
    expect(await countTap(`${oks(2)}\n`, 3)).toMatchObject({ passed: 2, failed: 1 });
  });

  it("a file with every planned test ok but a non-zero exit fails once", async () => {
    expect(await countTap(`1..2\n${oks(2)}\n`, 1)).toMatchObject({ passed: 2, failed: 1 });
  });

  it("a file that runs more tests than planned fails", async () => {
    expect(await countTap(`1..1\n${oks(2)}\n`, 0)).toMatchObject({ passed: 2, failed: 1 });
  });

  it("a complete file counts exactly its tests, failures included", async () => {
    expect(await countTap(`1..3\n${oks(2)}\nnot ok 3 - no\n# Failed test 3\n`, 0)).toMatchObject({ passed: 2, failed: 1, ran: 3 });
    expect(await countTap(`1..3\n${oks(3)}\n`, 0)).toEqual({ passed: 3, failed: 0, planned: 3, ran: 3, problems: [] });
  });

  it("a plan printed at the end (no_plan style) counts the same", async () => {
    expect(await countTap(`${oks(4)}\n1..4\n`, 0)).toMatchObject({ passed: 4, failed: 0, planned: 4 });
  });
});
