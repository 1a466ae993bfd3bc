// supabase/config.toml is the single description of functions and hooks; the local
// stack reads it the way the Supabase CLI does.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectConfig, parseHookUri } from "../../stack/project-config.ts";
import { projectRoot } from "../../stack/settings.ts";

describe("config.toml", () => {
  it("registers the health function with its entrypoint in functions/", () => {
    const health = loadProjectConfig().functions.find((fn) => fn.name === "health");
    expect(health?.entrypoint).toBe(path.join(projectRoot, "functions", "health", "index.ts"));
    expect(health?.importMap).toBe(path.join(projectRoot, "functions", "deno.json"));
  });

  it("registers the custom access token hook in the private schema", () => {
    expect(loadProjectConfig().accessTokenHook).toEqual({ uri: "pg-functions://postgres/private/custom_access_token_hook", schema: "private", name: "custom_access_token_hook" });
  });

  it("parses pg-functions hook URIs and names a malformed one", () => {
    expect(parseHookUri("pg-functions://postgres/public/my_hook")).toEqual({ uri: "pg-functions://postgres/public/my_hook", schema: "public", name: "my_hook" });
    expect(() => parseHookUri("https://example.com/hook")).toThrow(/https:\/\/example.com\/hook/);
    expect(() => parseHookUri("pg-functions://postgres/public")).toThrow(/invalid hook uri/);
  });
});

describe("dependencies", () => {
  it("functions/deno.json pins the same versions package.json installs for Node", () => {
    const denoImports = JSON.parse(readFileSync(path.join(projectRoot, "functions", "deno.json"), "utf8")).imports as Record<string, string>;
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8"));
    const deps = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    for (const specifier of Object.values(denoImports)) {
      const match = /^npm:(@?[^@]+)@([^/]+)/.exec(specifier)!;
      expect(deps[match[1]], `${match[1]} in package.json`).toBe(match[2]);
    }
  });
});
