// What GoTrue's redirect check (stack/auth-redirects.ts) reads of Go's standard library:
// net/url's Parse (whether it fails, the scheme, the host; URL.Hostname and URL.Port) and
// net.ParseIP with IP.IsLoopback. The WHATWG URL parser cannot stand in: it rewrites hosts
// (`http://2130706433/` becomes 127.0.0.1, case is folded, IDNA applied) and accepts what Go
// refuses (`https://x/%zz`), and those are the very cases the check exists for.
//
// Go works on bytes, so the URL is taken as its UTF-8 bytes, one char per byte ("binary"
// strings): a host compares byte for byte, as Go compares it.

export interface GoUrl {
  /** Lower-cased, as url.Parse stores it; "" for a relative reference. */
  scheme: string;
  /** host[:port], percent-decoded (bytes as chars); "" when there is no authority. */
  host: string;
}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

type Mode = "path" | "host" | "zone" | "userPassword" | "fragment";

/** shouldEscape(c, encodeHost / encodeZone): the ASCII a host may carry unescaped is allowed. */
function hostNeedsEscape(c: string): boolean {
  if (isAlnum(c)) return false;
  return !`!$&'()*+,;=:[]<>"-_.~`.includes(c);
}

/** unescape(s, mode): the decoded bytes, or undefined where Go returns an error. */
function unescape(s: string, mode: Mode): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === "%") {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) return undefined;
      const triple = s.slice(i, i + 3);
      const value = parseInt(s.slice(i + 1, i + 3), 16);
      // In a host, %-encoding is for non-ASCII bytes only, but %25 (RFC 6874 zones).
      if (mode === "host" && value < 0x80 && triple !== "%25") return undefined;
      // In a zone, only what could be written unescaped (or a space, for Windows); every
      // non-ASCII byte needs escaping in Go's shouldEscape, so it is refused here.
      if (mode === "zone" && triple !== "%25" && value !== 0x20 && (value >= 0x80 || hostNeedsEscape(String.fromCharCode(value)))) return undefined;
      out += String.fromCharCode(value);
      i += 3;
    } else {
      if ((mode === "host" || mode === "zone") && c.charCodeAt(0) < 0x80 && hostNeedsEscape(c)) return undefined;
      out += c;
      i += 1;
    }
  }
  return out;
}

/** validOptionalPort: "" or ":" followed by digits only. */
const validOptionalPort = (port: string) => port === "" || /^:[0-9]*$/.test(port);

function parseHost(host: string): string | undefined {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) return undefined;
    if (!validOptionalPort(host.slice(close + 1))) return undefined;
    const zone = host.slice(0, close).indexOf("%25");
    if (zone >= 0) {
      const parts = [unescape(host.slice(0, zone), "host"), unescape(host.slice(zone, close), "zone"), unescape(host.slice(close), "host")];
      return parts.some((p) => p === undefined) ? undefined : parts.join("");
    }
  } else {
    const colon = host.lastIndexOf(":");
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) return undefined;
  }
  return unescape(host, "host");
}

const validUserinfo = (s: string) => /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);

function parseAuthority(authority: string): string | undefined {
  const at = authority.lastIndexOf("@");
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (host === undefined || at < 0) return host;
  const userinfo = authority.slice(0, at);
  if (!validUserinfo(userinfo)) return undefined;
  const colon = userinfo.indexOf(":");
  const parts = colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  return parts.every((p) => unescape(p, "userPassword") !== undefined) ? host : undefined;
}

/** getScheme: [a-zA-Z][a-zA-Z0-9+-.]* before a colon, else no scheme; undefined for a leading colon. */
function getScheme(raw: string): [string, string] | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") return i === 0 ? undefined : [raw.slice(0, i), raw.slice(i + 1)];
    return ["", raw];
  }
  return ["", raw];
}

function parseWithoutFragment(raw: string): GoUrl | undefined {
  if (/[\x00-\x1f\x7f]/.test(raw)) return undefined;
  if (raw === "*") return { scheme: "", host: "" };
  const split = getScheme(raw);
  if (!split) return undefined;
  const scheme = split[0].toLowerCase();
  let rest = split[1];
  if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
  else rest = rest.split("?")[0];
  if (!rest.startsWith("/")) {
    // A rootless path after a scheme is opaque (mailto:x); without one, a colon in the
    // first segment is refused (cache_object:foo/bar is a malformed scheme).
    if (scheme !== "") return { scheme, host: "" };
    if (rest.split("/")[0].includes(":")) return undefined;
  }
  let host = "";
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    const parsed = parseAuthority(authority);
    if (parsed === undefined) return undefined;
    host = parsed;
  }
  return unescape(rest, "path") === undefined ? undefined : { scheme, host };
}

/** url.Parse: undefined where Go returns an error. */
export function goParseUrl(text: string): GoUrl | undefined {
  const raw = Buffer.from(text, "utf8").toString("latin1");
  const hash = raw.indexOf("#");
  const parsed = parseWithoutFragment(hash < 0 ? raw : raw.slice(0, hash));
  if (!parsed || hash < 0) return parsed;
  return unescape(raw.slice(hash + 1), "fragment") === undefined ? undefined : parsed;
}

/** splitHostPort: a trailing valid :port split off, then IPv6 brackets removed. */
function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(host.slice(colon))) [host, port] = [host.slice(0, colon), host.slice(colon + 1)];
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, port];
}

/** URL.Hostname (bytes as chars). */
export const goHostname = (url: GoUrl) => splitHostPort(url.host)[0];
/** URL.Port. */
export const goPort = (url: GoUrl) => splitHostPort(url.host)[1];

/** netip's parseIPv4Fields: four decimal octets, no leading zeros. */
function parseIPv4(s: string): number[] | undefined {
  const fields = s.split(".");
  if (fields.length !== 4) return undefined;
  const octets = fields.map((f) => (/^(0|[1-9][0-9]{0,2})$/.test(f) && Number(f) <= 255 ? Number(f) : -1));
  return octets.includes(-1) ? undefined : octets;
}

/** netip's parseIPv6 without a zone (net.ParseIP refuses zones): 16 bytes or undefined. */
function parseIPv6(input: string): number[] | undefined {
  if (input.includes("%")) return undefined;
  let s = input;
  const ip: number[] = new Array(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return ip;
  }
  let i = 0;
  while (i < 16) {
    const digits = /^[0-9A-Fa-f]*/.exec(s)![0];
    if (digits.length === 0 || digits.length > 4) return undefined;
    if (s[digits.length] === ".") {
      // An embedded IPv4 address replaces the last two fields.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return undefined;
      const v4 = parseIPv4(s);
      if (!v4) return undefined;
      ip.splice(i, 4, ...v4);
      s = "";
      i += 4;
      break;
    }
    const value = parseInt(digits, 16);
    ip[i] = value >> 8;
    ip[i + 1] = value & 0xff;
    i += 2;
    s = s.slice(digits.length);
    if (s === "") break;
    if (s[0] !== ":" || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return undefined; // the :: must stand for at least one field
  }
  return ip;
}

/** net.ParseIP: the address as 16 bytes (IPv4 mapped), or undefined. */
export function goParseIP(s: string): number[] | undefined {
  for (const c of s) {
    if (c === ".") {
      const v4 = parseIPv4(s);
      return v4 && [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
    }
    if (c === ":") return parseIPv6(s);
    if (c === "%") return undefined;
  }
  return undefined;
}

/** IP.IsLoopback: 127.0.0.0/8 (IPv4-mapped too) or ::1. */
export function goIsLoopback(ip: number[]): boolean {
  const mapped = ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
  if (mapped) return ip[12] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}
