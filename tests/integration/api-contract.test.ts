// What every function's HTTP API promises beyond its endpoints (SPEC F14): the OpenAPI
// document it serves is the committed one the typed client is generated from, and the
// methods a path does not take are a 405 naming those it does.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../stack/settings.ts";
import { functionUrl, stack } from "../helpers/stack.ts";

const documents = readdirSync(path.join(projectRoot, "client", "openapi")).filter((file) => file.endsWith(".json"));

describe("the OpenAPI documents", () => {
  it.each(documents)("%s is what the function serves", async (file) => {
    const name = file.replace(/\.json$/, "");
    const res = await fetch(functionUrl(`${name}/openapi.json`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(readFileSync(path.join(projectRoot, "client", "openapi", file), "utf8")));
  });

  it("are OpenAPI 3.1 with an error response documented for every operation", () => {
    for (const file of documents) {
      const document = JSON.parse(readFileSync(path.join(projectRoot, "client", "openapi", file), "utf8"));
      expect(document.openapi, file).toBe("3.1.0");
      for (const [route, methods] of Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
        for (const [method, operation] of Object.entries(methods)) expect(Object.keys(operation.responses), `${method} ${route}`).toContain("422");
      }
    }
  });
});

describe("405", () => {
  it("a method a path does not take is a 405 with allow naming those it does", async () => {
    const res = await fetch(functionUrl("admin/users"), { method: "PATCH", headers: { apikey: stack.secretKey } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect((await res.json()).error).toMatchObject({ code: "method_not_allowed", debug_id: res.headers.get("x-debug-id") });
  });
});

describe("422", () => {
  it("names every field at fault, in the path, the query and the body at once", async () => {
    const res = await fetch(functionUrl("admin/orgs/nope/members/nope"), {
      method: "PATCH",
      headers: { apikey: stack.secretKey, "content-type": "application/json" },
      body: JSON.stringify({ role: 5, extra: true }),
    });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["extra", "id", "role", "user_id"]);
  });
});
