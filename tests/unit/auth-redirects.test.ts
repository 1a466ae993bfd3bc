// The local Supabase Auth's redirect check is GoTrue's IsRedirectURLValid: its own test
// cases (supabase/auth internal/utilities/request_test.go, TestGetReferrer), then one
// block per rule of the function, with the glob library's and Go's URL parsing's cases.
import { describe, expect, it } from "vitest";
import { isRedirectAllowed, redirectSettingsFrom } from "../../stack/auth-redirects.ts";
import { compileGlob } from "../../stack/go-glob.ts";
import { goHostname, goParseIP, goParseUrl, goPort } from "../../stack/go-url.ts";

describe("GoTrue's TestGetReferrer cases", () => {
  const settings = redirectSettingsFrom("https://example.com", ["http://localhost:8000/*", "http://*.localhost:8000/*", "http://*:12345/*", "http://**:12345/*"]);
  it.each([
    ["valid redirect url", "http://localhost:8000/path", true],
    ["invalid redirect url", "http://localhost:3000", false],
    ["no / separator", "http://localhost:8000", false],
    ["* respects separator", "http://localhost:8000/path/to/page", false],
    ["* respects parameters", "http://localhost:8000/path?param=1", true],
    ["decimal IP address", "http://123?.localhost:8000/path", false],
    ["IPv4 address", "http://123.123.123.123?localhost:8000/path", false],
    ["IPv6 address", "http://[65e7:9410:d8b6:e227:58cd:e55b:8fc0:206d]?localhost:8000/path", false],
    ["bad URL", "http://65e7:9410:d8b6:e227:58cd:e55b:8fc0:206d?localhost:8000/path", false],
    ["loopback IPv4 address", "http://127.0.0.1:12345/path", true],
    ["loopback IPv6 address", "http://[0:0:0:0:0:0:0:1]:12345/path", true],
  ])("%s: %s", (_desc, url, allowed) => {
    expect(isRedirectAllowed(settings, url)).toBe(allowed);
  });
});

describe("the site URL: scheme, host and port must match; the port is free on a loopback host", () => {
  const site = redirectSettingsFrom("https://app.example.com:8443", []);
  it.each([
    ["https://app.example.com:8443/anything/at/all#frag", true],
    ["https://app.example.com/console/", false], // port 443, not 8443
    ["http://app.example.com:8443/", false], // scheme
    ["https://APP.example.com:8443/", false], // Go compares the host byte for byte
    ["https://evil.example.com:8443/", false],
  ])("%s → %s", (url, allowed) => expect(isRedirectAllowed(site, url)).toBe(allowed));

  it("on a localhost site any port of the site's host is the site", () => {
    const local = redirectSettingsFrom("http://localhost:3000", []);
    expect(isRedirectAllowed(local, "http://localhost:54321/console/")).toBe(true);
    expect(isRedirectAllowed(local, "https://localhost:54321/console/")).toBe(false);
    // Another name for the machine is not the site's host, and localhost is no IP address.
    expect(isRedirectAllowed(redirectSettingsFrom("http://127.0.0.1:3000", []), "http://localhost:3000/")).toBe(false);
  });
});

describe("IP addresses: loopback always, any other never (not even allow-listed), decimal never", () => {
  const settings = redirectSettingsFrom("https://example.com", ["http://**"]);
  it.each([
    ["http://127.0.0.1:9999/x", true],
    ["http://127.255.0.1/", true],
    ["myapp://[::1]/cb", true],
    ["http://[::ffff:127.0.0.1]/", true],
    ["http://10.0.0.1/", false],
    ["http://[2001:db8::1]/", false],
    ["http://2130706433/", false], // 127.0.0.1 in decimal, as browsers read it
    ["http://0x7f000001/", true], // not an IP to Go: a regular hostname, allow-listed by http://**
    ["http://017700000001/", false], // octal is all digits: refused as decimal
  ])("%s → %s", (url, allowed) => expect(isRedirectAllowed(settings, url)).toBe(allowed));
});

describe("control characters and spaces are refused anywhere", () => {
  const settings = redirectSettingsFrom("https://example.com", ["**"]);
  it.each(["\thttps://2130706433/", "https://example.com/\n", "https://example.com/a b", "https://example.com/\u007f", "\u0000"])("%j", (url) => {
    expect(isRedirectAllowed(settings, url)).toBe(false);
  });
  it("an empty redirect is no redirect", () => expect(isRedirectAllowed(settings, "")).toBe(false));
});

describe("a URL Go cannot parse", () => {
  const settings = redirectSettingsFrom("https://example.com", ["**"]);
  it.each(["https://2130706433/%zz", "HTTP://example.com:80x/", "http://[::1/", "https://[::1]x/"])("http(s) is refused even when allow-listed: %s", (url) => {
    expect(goParseUrl(url)).toBeUndefined();
    expect(isRedirectAllowed(settings, url)).toBe(false);
  });
  it("a custom scheme with an underscore may still match the allow list", () => {
    expect(goParseUrl("com.my_cool_app.example://callback")).toBeUndefined();
    expect(isRedirectAllowed(redirectSettingsFrom("https://example.com", ["com.my_cool_app.example://callback"]), "com.my_cool_app.example://callback")).toBe(true);
  });
});

describe("an http(s) host with unusual characters is refused before the allow list", () => {
  const settings = redirectSettingsFrom("https://example.com", ["**"]);
  it.each([
    ["http://ex_ample.com/", false],
    ["http://-example.com/", false],
    ["http://ex%C3%A4mple.com/", false], // percent-decoded to non-ASCII bytes
    ["myapp://ex_ample/cb", true], // not http(s): the allow list decides
    ["http://example.com./", false], // a trailing dot is not regular
    ["https:/\\2130706433/", false], // parses, with no host at all
  ])("%s → %s", (url, allowed) => expect(isRedirectAllowed(settings, url)).toBe(allowed));
});

describe("the allow list", () => {
  it("is matched without the fragment", () => {
    const settings = redirectSettingsFrom("https://example.com", ["https://app.example.org/callback"]);
    expect(isRedirectAllowed(settings, "https://app.example.org/callback#/users")).toBe(true);
    expect(isRedirectAllowed(settings, "https://app.example.org/callback?x=1")).toBe(false);
  });

  it("* stays within a host label and a path segment; ** crosses both", () => {
    const settings = redirectSettingsFrom("https://example.com", ["https://*.example.org/*", "https://deep.example.net/**"]);
    expect(isRedirectAllowed(settings, "https://app.example.org/callback")).toBe(true);
    expect(isRedirectAllowed(settings, "https://a.b.example.org/callback")).toBe(false);
    expect(isRedirectAllowed(settings, "https://app.example.org/console/users")).toBe(false);
    expect(isRedirectAllowed(settings, "https://deep.example.net/console/users?x=1")).toBe(true);
  });

  it("is GOTRUE_URI_ALLOW_LIST, comma-separated: a pattern's {a,b} becomes two patterns", () => {
    // "https://{a" (an unclosed group: https://a) and "b}.example.org/".
    const settings = redirectSettingsFrom("https://example.com", ["https://{a,b}.example.org/"]);
    expect(isRedirectAllowed(settings, "https://a.example.org/")).toBe(false);
    expect(isRedirectAllowed(settings, "https://a")).toBe(true);
  });

  it("a pattern that does not compile stops the settings from loading, as MustCompile stops GoTrue", () => {
    expect(() => redirectSettingsFrom("https://example.com", ["https://[.example.org/"])).toThrow(/not a valid glob/);
  });
});

describe("gobwas/glob v0.2.3 semantics", () => {
  // The library's README examples, with '.' as the separator.
  it.each([
    ["api.*.com", "api.github.com", true],
    ["api.*.com", "api.gi.hub.com", false],
    ["api.**.com", "api.gi.hub.com", true],
    ["?at", "cat", true],
    ["?at", "at", false],
    ["[abc]x", "bx", true],
    ["[!abc]x", "dx", true],
    ["[!abc]x", "ax", false],
    ["[a-c]x", "cx", true],
    ["[!a-c]x", ".x", true], // a class does not exclude separators
    ["x{a,b{c,d}}y", "xbdy", true],
    ["x{a,b{c,d}}y", "xby", false],
    ["x{a,b", "xb", true], // an unclosed { is accepted
    ["a,b}", "a,b}", true], // outside {…} both are plain
    ["\\*x", "*x", true],
    ["\\*x", "ax", false],
    ["a*", "a.b", false],
    ["", "", true],
  ])("%s matches %s: %s", (pattern, text, matches) => {
    expect(compileGlob(pattern, ["."])(text)).toBe(matches);
  });

  it.each(["[", "[]", "[!]", "[c-a]", "[a-"])("refuses %s", (pattern) => {
    expect(() => compileGlob(pattern, ["."])).toThrow();
  });
});

describe("Go's url.Parse and net.ParseIP, as the check reads them", () => {
  it("keeps the host as written: no decimal-IP rewriting, no case folding", () => {
    const url = goParseUrl("HTTP://User:pw@Example.COM:8080/p?q#f")!;
    expect([url.scheme, goHostname(url), goPort(url)]).toEqual(["http", "Example.COM", "8080"]);
    expect(goHostname(goParseUrl("http://2130706433/")!)).toBe("2130706433");
  });
  it("an IPv6 zone may be %-escaped, but not to bytes a host could not carry", () => {
    expect(goHostname(goParseUrl("myapp://[fe80::1%25en0]/cb")!)).toBe("fe80::1%en0");
    expect(goParseUrl("myapp://[fe80::1%25%C3%A4]/cb")).toBeUndefined();
    expect(goParseUrl("myapp://[fe80::1%25%2F]/cb")).toBeUndefined();
  });
  it.each(["1.2.3.4", "::1", "0:0:0:0:0:0:0:1", "::ffff:1.2.3.4"])("%s is an IP", (ip) => expect(goParseIP(ip)).toBeDefined());
  it.each(["01.2.3.4", "1.2.3", "256.1.1.1", "fe80::1%eth0", "1::2::3", "12345::"])("%s is not", (ip) => expect(goParseIP(ip)).toBeUndefined());
});
