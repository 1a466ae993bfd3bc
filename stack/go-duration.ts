// Go's time.ParseDuration, which GoTrue applies to an admin's `ban_duration` ("876000h",
// "1h30m", "-1.5s"), with its error messages, since GoTrue passes them on to the caller.

const NANOSECONDS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n, // U+00B5 micro sign
  "μs": 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX = (1n << 63n) - 1n;

/** Go's time.quote: in double quotes, `"` and `\` escaped, control and non-ASCII bytes as \xHH. */
function quote(text: string): string {
  let out = "";
  for (const char of text) {
    if (char < " " || char.codePointAt(0)! >= 0x80) {
      for (const byte of Buffer.from(char, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    } else {
      out += char === '"' || char === "\\" ? `\\${char}` : char;
    }
  }
  return `"${out}"`;
}

/** Nanoseconds, as Go's time.Duration; throws Go's error for anything ParseDuration refuses. */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${quote(text)}`);
  let rest = text;
  let negative = false;
  if (rest[0] === "-" || rest[0] === "+") {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw invalid();
  let total = 0n;
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole, fraction = ""] = [number[1], number[2]];
    // A number needs a digit before or after the point.
    if (whole === "" && fraction === "") throw invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === "") throw new Error(`time: missing unit in duration ${quote(text)}`);
    const scale = NANOSECONDS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${quote(unit)} in duration ${quote(text)}`);
    rest = rest.slice(unit.length);
    // Go truncates the fraction's nanoseconds toward zero, as integer arithmetic does here.
    const value = BigInt(whole || "0") * scale + (BigInt(fraction || "0") * scale) / 10n ** BigInt(fraction.length);
    total += value;
    if (total > MAX + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}
