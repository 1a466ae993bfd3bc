// Go's time.ParseDuration, as GoTrue applies it to ban_duration: values and error messages.
import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../../stack/go-duration.ts";

const HOUR = 3_600_000_000_000n;

describe("parseGoDuration", () => {
  it.each([
    ["876000h", 876_000n * HOUR],
    ["1h30m", HOUR + HOUR / 2n],
    ["1.5h", HOUR + HOUR / 2n],
    [".5s", 500_000_000n],
    ["-2m", -120_000_000_000n],
    ["+10ms", 10_000_000n],
    ["3µs", 3_000n],
    ["3μs", 3_000n],
    ["0", 0n],
    ["-0", 0n],
    ["0s", 0n],
  ])("%s", (text, nanoseconds) => {
    expect(parseGoDuration(text)).toBe(nanoseconds);
  });

  it.each([
    ["forever", 'time: invalid duration "forever"'],
    ["", 'time: invalid duration ""'],
    [".h", 'time: invalid duration ".h"'],
    ["10", 'time: missing unit in duration "10"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["1h 2m", 'time: unknown unit "h " in duration "1h 2m"'],
    ["9999999999h", 'time: invalid duration "9999999999h"'],
    ["1ü", 'time: unknown unit "\\xc3\\xbc" in duration "1\\xc3\\xbc"'],
  ])("refuses %j as Go does", (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });
});
