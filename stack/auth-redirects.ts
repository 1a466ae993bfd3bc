// Where Supabase Auth may send a browser after a magic link: [auth] site_url and
// additional_redirect_urls of supabase/config.toml, the settings a hosted project has under
// Authentication → URL Configuration. utilities.IsRedirectURLValid: any URL on the site
// URL's host, or one matching an allow-list pattern (globs: `*` within a dot-separated
// part, `**` across them).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { projectRoot } from "./settings.ts";

export interface RedirectSettings {
  siteUrl: string;
  allowList: string[];
}

export function redirectSettings(file = path.join(projectRoot, "supabase", "config.toml")): RedirectSettings {
  const auth = (parse(readFileSync(file, "utf8")).auth ?? {}) as { site_url?: unknown; additional_redirect_urls?: unknown };
  const siteUrl = typeof auth.site_url === "string" ? auth.site_url : "http://127.0.0.1:3000";
  const allowList = Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls.filter((u): u is string => typeof u === "string") : [];
  return { siteUrl, allowList };
}

function globPattern(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === "**" ? ".*" : part === "*" ? "[^.]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

export function isRedirectAllowed(settings: RedirectSettings, candidate: string): boolean {
  if (!candidate) return false;
  let target: URL;
  try {
    target = new URL(candidate);
  } catch {
    return false;
  }
  if (target.hostname === new URL(settings.siteUrl).hostname) return true;
  return settings.allowList.some((pattern) => globPattern(pattern).test(candidate));
}
