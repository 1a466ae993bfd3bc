// github.com/gobwas/glob v0.2.3, the glob library GoTrue compiles its redirect allow list
// with (`glob.MustCompile(uri, '.', '/')`), ported as its lexer and parser and compiled to
// one anchored regular expression:
//
//   *        any run of characters but the separators     ?      one character but a separator
//   **       any run of characters                         [abc]  [a-z]  [!abc]  [!a-z]  one character
//   {a,b}    one of the alternatives (nested allowed)      \c     the character c
//
// Character classes do not exclude the separators; `,` and `}` are plain outside `{…}`; an
// unclosed `{` is accepted, an unclosed `[` or an empty class is not (MustCompile panics,
// so GoTrue does not start: compileGlob throws).

type Token =
  | { type: "text" | "rangeLo" | "rangeHi"; data: string }
  | { type: "any" | "super" | "single" | "not" | "separator" | "rangeOpen" | "rangeClose" | "termsOpen" | "termsClose" | "eof" };

function lex(pattern: string): Token[] {
  // The lexer's end of input is the rune 0, so a NUL ends the pattern; it also refuses U+FFFD
  // (utf8.RuneError), whatever its width.
  const chars = [...pattern.split("\0")[0]];
  if (chars.includes("\uFFFD")) throw new Error("could not read rune");
  const tokens: Token[] = [];
  let pos = 0;
  let termsLevel = 0;
  const read = () => chars[pos++];
  const text = (breakers: string) => {
    let data = "";
    let escaped = false;
    while (pos < chars.length) {
      const c = chars[pos];
      if (!escaped && c === "\\") {
        escaped = true;
        pos++;
        continue;
      }
      if (!escaped && breakers.includes(c)) break;
      escaped = false;
      data += c;
      pos++;
    }
    if (data) tokens.push({ type: "text", data });
  };
  const range = () => {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      if (pos >= chars.length) throw new Error("unexpected end of input");
      const c = read();
      if (wantClose) {
        if (c !== "]") throw new Error("expected close range character");
        tokens.push({ type: "rangeClose" });
        return;
      }
      if (wantHi) {
        tokens.push({ type: "rangeHi", data: c });
        wantClose = true;
        continue;
      }
      if (!seenNot && c === "!") {
        tokens.push({ type: "not" });
        seenNot = true;
        continue;
      }
      if (chars[pos] === "-") {
        pos++;
        tokens.push({ type: "rangeLo", data: c });
        wantHi = true;
        continue;
      }
      pos--;
      text("]");
      wantClose = true;
    }
  };
  for (;;) {
    if (pos >= chars.length) {
      tokens.push({ type: "eof" });
      return tokens;
    }
    const c = read();
    if (c === "{") {
      termsLevel++;
      tokens.push({ type: "termsOpen" });
    } else if (c === "," && termsLevel > 0) {
      tokens.push({ type: "separator" });
    } else if (c === "}" && termsLevel > 0) {
      tokens.push({ type: "termsClose" });
      termsLevel--;
    } else if (c === "[") {
      tokens.push({ type: "rangeOpen" });
      range();
    } else if (c === "?") {
      tokens.push({ type: "single" });
    } else if (c === "*") {
      if (chars[pos] === "*") {
        pos++;
        tokens.push({ type: "super" });
      } else tokens.push({ type: "any" });
    } else {
      pos--;
      text(termsLevel > 0 ? "?*[{}," : "?*[{");
    }
  }
}

const escapeText = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
const escapeClass = (s: string) => s.replace(/[\\\]\[^-]/g, "\\$&");

/** Parses like gobwas/glob's parser and writes each node as regular-expression source. */
function toRegExpSource(tokens: Token[], separators: string[]): string {
  const notSeparator = `[^${escapeClass(separators.join(""))}]`;
  // One entry per open `{`: the alternatives so far and the one being written.
  const stack: { done: string[]; current: string }[] = [{ done: [], current: "" }];
  const top = () => stack[stack.length - 1];
  let i = 0;
  for (;;) {
    const token = tokens[i++];
    switch (token.type) {
      case "eof":
        // An unclosed `{` is no error: what was read counts.
        while (stack.length > 1) {
          const group = stack.pop()!;
          top().current += `(?:${[...group.done, group.current].join("|")})`;
        }
        return stack[0].current;
      case "text":
        top().current += escapeText(token.data);
        break;
      case "any":
        top().current += separators.length ? `${notSeparator}*` : "[^]*";
        break;
      case "super":
        top().current += "[^]*";
        break;
      case "single":
        top().current += separators.length ? notSeparator : "[^]";
        break;
      case "termsOpen":
        stack.push({ done: [], current: "" });
        break;
      case "separator":
        top().done.push(top().current);
        top().current = "";
        break;
      case "termsClose": {
        const group = stack.pop()!;
        top().current += `(?:${[...group.done, group.current].join("|")})`;
        break;
      }
      case "rangeOpen": {
        let not = false;
        let lo = "";
        let hi = "";
        let chars = "";
        for (let t = tokens[i++]; t.type !== "rangeClose"; t = tokens[i++]) {
          if (t.type === "not") not = true;
          else if (t.type === "rangeLo") lo = t.data;
          else if (t.type === "rangeHi") {
            hi = t.data;
            if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw new Error(`hi character '${hi}' should be greater than lo '${lo}'`);
          } else if (t.type === "text") chars = t.data;
          else throw new Error("unexpected end");
        }
        const isRange = lo !== "" && hi !== "";
        if (isRange === (chars !== "")) throw new Error("could not parse range");
        const body = isRange ? `${escapeClass(lo)}-${escapeClass(hi)}` : escapeClass(chars);
        top().current += `[${not ? "^" : ""}${body}]`;
        break;
      }
      default:
        throw new Error(`unexpected token: ${token.type}`);
    }
  }
}

export type Glob = (text: string) => boolean;

/** glob.MustCompile(pattern, ...separators): the whole text must match. Throws on a bad pattern. */
export function compileGlob(pattern: string, separators: string[] = []): Glob {
  let source: string;
  try {
    source = toRegExpSource(lex(pattern), separators);
  } catch (error) {
    throw new Error(`${JSON.stringify(pattern)} is not a valid glob: ${(error as Error).message}`);
  }
  const regexp = new RegExp(`^(?:${source})$`, "u");
  return (text) => regexp.test(text);
}
