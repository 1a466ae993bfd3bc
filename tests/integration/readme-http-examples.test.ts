// The README's HTTP examples run as written (SPEC F18): every `curl` line of the
// "The HTTP API" section, its shell quoting expanded by bash with the variables the
// README defines, sent with fetch (curl's -X, -H and -d, nothing else), answers 2xx.
// Email addresses and organization names are made unique, so reruns against one
// database (SUPABASE_DB_URL) do not collide.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient, platformUser, signedInUser } from "../helpers/callers.ts";
import { stack } from "../helpers/stack.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## The HTTP API"), readme.indexOf("\n## ", readme.indexOf("## The HTTP API") + 1));
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].replace(/\\\n\s*/g, "").split("\n"))
  .filter((line) => line.startsWith("curl "));

const run = randomUUID().slice(0, 8);
const env: Record<string, string> = {};

/** The command's arguments after bash's expansion and quote removal. */
function argv(command: string): string[] {
  const expanded = execFileSync("bash", ["-c", `set -eu; printf '%s\\0' ${command.slice("curl ".length)}`], { env: { PATH: process.env.PATH, ...env } });
  return expanded.toString().split("\0").slice(0, -1);
}

function request(args: string[]): { url: string; init: RequestInit } {
  const init: RequestInit & { headers: Headers } = { headers: new Headers() };
  let url = "";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-X") init.method = args[++i];
    else if (arg === "-H") {
      const [name, ...value] = args[++i].split(":");
      init.headers.set(name.trim(), value.join(":").trim());
    } else if (arg === "-d") {
      init.body = args[++i];
      init.method ??= "POST";
    } else if (arg.startsWith("-")) throw new Error(`the README uses curl option ${arg}, which this test does not know`);
    else url = arg;
  }
  return { url, init };
}

beforeAll(async () => {
  const admin = await platformUser("admin", "readme-admin");
  const user = await signedInUser("readme-user");
  const { data: org } = await adminClient(admin.token).POST("/admin/orgs", { body: { name: `Readme ${run}` } });
  Object.assign(env, { SUPABASE_URL: stack.url, TOKEN: user.token, ADMIN_TOKEN: admin.token, USER_ID: user.id, ORG_ID: org!.id });
});

describe("F18 the README's HTTP examples", () => {
  it("there are examples for every function", () => {
    for (const fn of ["admin", "me"]) expect(commands.some((c) => c.includes(`/functions/v1/${fn}`)), fn).toBe(true);
  });

  it.each(commands.map((command, i) => [i + 1, command]))("example %i answers 2xx: %s", async (_n, command) => {
    const unique = (command as string).replace(/([a-z]+)@example\.com/g, `$1-${run}@example.test`).replace(/"name": "(\w+)"/g, `"name": "$1 ${run}"`)
      .replace(/"slug": "([\w-]+)"/g, `"slug": "$1-${run}"`);
    const { url, init } = request(argv(unique));
    const res = await fetch(url, init);
    expect(res.status, `${command}\n→ ${res.status} ${await res.clone().text()}`).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });
});
