// Where Supabase Auth may send a browser after a magic link: [auth] site_url and
// additional_redirect_urls of supabase/config.toml, the settings a hosted project has under
// Authentication → URL Configuration. isRedirectAllowed is GoTrue's
// utilities.IsRedirectURLValid (supabase/auth internal/utilities/request.go), rule for rule,
// on Go's URL parsing (stack/go-url.ts) and glob library (stack/go-glob.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { compileGlob, type Glob } from "./go-glob.ts";
import { goHostname, goIsLoopback, goParseIP, goParseUrl, goPort } from "./go-url.ts";
import { projectRoot } from "./settings.ts";

export interface RedirectSettings {
  siteUrl: string;
  /** The allow list's patterns, compiled as GoTrue compiles them. */
  allowList: Glob[];
}

/**
 * The settings as GoTrue receives them: GOTRUE_URI_ALLOW_LIST is the list joined with commas
 * and split on them again, so a pattern's `{a,b}` is two patterns there, and here. A pattern
 * that does not compile throws, as GoTrue's MustCompile stops it from starting.
 */
export function redirectSettingsFrom(siteUrl: string, additionalRedirectUrls: string[]): RedirectSettings {
  const patterns = additionalRedirectUrls.length ? additionalRedirectUrls.join(",").split(",") : [];
  return { siteUrl, allowList: patterns.map((pattern) => compileGlob(pattern, [".", "/"])) };
}

export function redirectSettings(file = path.join(projectRoot, "supabase", "config.toml")): RedirectSettings {
  const auth = (parse(readFileSync(file, "utf8")).auth ?? {}) as { site_url?: unknown; additional_redirect_urls?: unknown };
  const siteUrl = typeof auth.site_url === "string" ? auth.site_url : "http://127.0.0.1:3000";
  const allowList = Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls.filter((u): u is string => typeof u === "string") : [];
  return redirectSettingsFrom(siteUrl, allowList);
}

/** GoTrue's isLocalhost (internal/utilities/url_validator.go). */
function isLocalhost(hostname: string): boolean {
  const lower = hostname.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return ["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"].includes(lower) || lower.endsWith(".localhost");
}

const decimalIPAddress = /^[0-9]+$/;
const regularHostname = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

export function isRedirectAllowed(settings: RedirectSettings, redirectUrl: string): boolean {
  if (redirectUrl === "") return false;
  // A control character or space never belongs in a URL, and browsers strip leading ones:
  // "\thttps://2130706433/" would fail to parse, skip the checks below and still be followed.
  if (/[\u0000-\u0020\u007f]/.test(redirectUrl)) return false;
  const base = goParseUrl(settings.siteUrl);
  if (!base) return false;
  const target = goParseUrl(redirectUrl);
  if (!target) {
    // A custom scheme with an underscore (com.my_app://callback) does not parse in Go but may
    // still be on the allow list; an http(s) URL that does not parse is obfuscated, refused.
    const lower = redirectUrl.toLowerCase();
    if (lower.startsWith("http:") || lower.startsWith("https:")) return false;
  } else {
    const hostname = goHostname(target);
    // Back to the site: scheme, host and port; any port on a loopback host (RFC 8252 §7.3).
    if (goHostname(base) === hostname && base.scheme === target.scheme && (goPort(base) === goPort(target) || isLocalhost(hostname))) return true;
    const isHttp = target.scheme === "http" || target.scheme === "https";
    if (decimalIPAddress.test(hostname)) return false;
    const ip = goParseIP(hostname);
    // An IP address is allowed if loopback, and never by the allow list.
    if (ip) return goIsLoopback(ip);
    if (isHttp && !regularHostname.test(hostname)) return false;
  }
  // The allow list is matched without the fragment.
  const withoutFragment = redirectUrl.split("#")[0];
  return settings.allowList.some((matches) => matches(withoutFragment));
}
