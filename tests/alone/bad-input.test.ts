// Every documented endpoint against a corpus of bad input (issue 11): malformed JSON,
// wrong types, control characters, huge bodies, hostile search terms, impossible page
// sizes, forged cursors, malformed path ids. Each answer is a clean 4xx — the error
// JSON with its debug id, never a 5xx, a stack or SQL — and the database is exactly as
// it was (a digest of every table). Driven by the committed OpenAPI documents, so a new
// endpoint is covered the day it is documented.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFingerprint, fingerprintChanges } from "../../stack/fingerprint.ts";
import { projectRoot } from "../../stack/settings.ts";
import { platformUser, type TestCaller } from "../helpers/callers.ts";
import { stack } from "../helpers/stack.ts";

type Schema = { type?: string | string[]; format?: string; enum?: unknown[]; properties?: Record<string, Schema>; $ref?: string; items?: Schema; anyOf?: Schema[] };
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
  security?: unknown;
}

const documents = readdirSync(path.join(projectRoot, "client", "openapi"))
  .filter((file) => file.endsWith(".json"))
  .map((file) => JSON.parse(readFileSync(path.join(projectRoot, "client", "openapi", file), "utf8")) as Document);

function resolve(document: Document, schema: Schema): Schema {
  return schema.$ref ? resolve(document, document.components!.schemas![schema.$ref.split("/").pop()!]) : schema;
}

const SAMPLE_PARAMS: Record<string, string> = { role: "reader" };
const SAMPLE_ID = "00000000-0000-4000-8000-00000000c0de";

interface Case {
  label: string;
  path: string;
  query?: string;
  body?: string;
  status: number[];
  field?: string;
}

/** The bad requests for one operation. */
function corpus(document: Document, rawPath: string, operation: Operation): Case[] {
  const params = (operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
  const at = (overrides: Record<string, string> = {}) =>
    rawPath.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(overrides[name] ?? SAMPLE_PARAMS[name] ?? SAMPLE_ID));
  const good = at();
  const cases: Case[] = [];
  for (const name of params.filter((p) => !SAMPLE_PARAMS[p])) {
    cases.push({ label: `a malformed ${name}`, path: at({ [name]: "1' or '1'='1" }), status: [422], field: name });
  }
  const query = new Set((operation.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
  if (query.size > 0) cases.push({ label: "an unknown query parameter", path: good, query: "zz_unknown=1", status: [422], field: "zz_unknown" });
  if (query.has("page_size")) {
    for (const size of ["-1", "0", "1000000", "abc", "1e400", "2.5"]) cases.push({ label: `page_size=${size}`, path: good, query: `page_size=${size}`, status: [422], field: "page_size" });
  }
  if (query.has("cursor")) {
    for (const cursor of ["forged", "eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA", "' or 1=1 --"]) {
      cases.push({ label: `a forged cursor ${cursor}`, path: good, query: `cursor=${encodeURIComponent(cursor)}`, status: [400] });
    }
  }
  if (query.has("q")) {
    cases.push({ label: "a NUL in q", path: good, query: "q=a%00b", status: [422], field: "q" });
    cases.push({ label: "a control character in q", path: good, query: "q=a%07b", status: [422], field: "q" });
    cases.push({ label: "q over 100 characters", path: good, query: `q=${"x".repeat(101)}`, status: [422], field: "q" });
    // Hostile but legal search text: searched for literally, never a 5xx.
    for (const q of ["' or 1=1 --", "%", "_", "\\", "'; drop table profiles; --"]) cases.push({ label: `q=${q}`, path: good, query: `q=${encodeURIComponent(q)}`, status: [200] });
  }
  // Every other query parameter, by what its schema says it is.
  for (const parameter of (operation.parameters ?? []).filter((p) => p.in === "query" && !["q", "cursor", "page_size"].includes(p.name))) {
    const schema = resolve(document, parameter.schema ?? {});
    const bad = (value: string, what: string) =>
      cases.push({ label: `${parameter.name} ${what}`, path: good, query: `${parameter.name}=${encodeURIComponent(value)}`, status: [422], field: parameter.name });
    if (schema.format === "uuid") bad("not-a-uuid", "not a UUID");
    else if (schema.format === "date-time") {
      bad("0000-01-01T00:00:00Z", "in year 0");
      bad("yesterday", "not a date");
      bad("2026-02-30T00:00:00Z", "on a day that does not exist");
    } else if (schema.enum) bad("zz-none-of-them", "not one of its values");
    else if (schema.type === "integer" || schema.type === "number") bad("many", "not a number");
    else if (schema.type === "string") {
      bad("a\u0000b", "with a NUL");
      bad("a\u0007b", "with a control character");
      bad("x".repeat(10_000), "of 10,000 characters");
    }
  }
  const body = operation.requestBody?.content["application/json"]?.schema;
  if (body) {
    const properties = resolve(document, body).properties ?? {};
    cases.push({ label: "malformed JSON", path: good, body: "{", status: [400] });
    cases.push({ label: "a JSON array", path: good, body: "[]", status: [422] });
    cases.push({ label: "a JSON string", path: good, body: JSON.stringify("x"), status: [422] });
    cases.push({ label: "a body over 64 KiB", path: good, body: JSON.stringify({ x: "y".repeat(70_000) }), status: [413] });
    cases.push({ label: "an unknown field", path: good, body: JSON.stringify({ zz_unknown: 1 }), status: [422], field: "zz_unknown" });
    for (const [name, property] of Object.entries(properties)) {
      const type = resolve(document, property).type;
      const wrong = type === "string" ? 12345 : type === "boolean" ? "yes" : type === "array" ? { not: "a list" } : ["wrong"];
      cases.push({ label: `${name} of the wrong type`, path: good, body: JSON.stringify({ [name]: wrong }), status: [422] });
      if (type === "string") {
        cases.push({ label: `a NUL in ${name}`, path: good, body: JSON.stringify({ [name]: "a\u0000b" }), status: [422] });
        cases.push({ label: `a control character in ${name}`, path: good, body: JSON.stringify({ [name]: "a\u001bb" }), status: [422] });
        cases.push({ label: `an unpaired surrogate in ${name}`, path: good, body: `{"${name}": "a\\ud800b"}`, status: [422] });
      }
    }
  }
  return cases;
}

const operations = documents.flatMap((document) =>
  Object.entries(document.paths).flatMap(([rawPath, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), rawPath, cases: corpus(document, rawPath, operation) }))));

let admin: TestCaller;
let before: Map<string, string>;

beforeAll(async () => {
  admin = await platformUser("admin", "corpus-admin");
  before = await databaseFingerprint(stack.dbUrl);
});

afterAll(async () => {
  // Nothing any bad request did may remain.
  expect(fingerprintChanges(before, await databaseFingerprint(stack.dbUrl))).toEqual([]);
});

describe("the bad-input corpus", () => {
  it("covers every documented operation", () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  for (const { method, rawPath, cases } of operations.filter((o) => o.cases.length > 0)) {
    it(`${method} ${rawPath}: ${cases.length} bad requests, each a clean 4xx`, async () => {
      for (const c of cases) {
        const url = `${stack.url}/functions/v1${c.path}${c.query ? `?${c.query}` : ""}`;
        const res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
          body: c.body,
        });
        const text = await res.text();
        const label = `${method} ${rawPath} with ${c.label}: ${res.status} ${text.slice(0, 300)}`;
        expect(c.status, label).toContain(res.status);
        if (res.status >= 400) {
          const { error } = JSON.parse(text);
          expect(error.debug_id, label).toBe(res.headers.get("x-debug-id"));
          if (c.field) expect(error.fields?.map((f: { field: string }) => f.field) ?? [error.field], label).toContain(c.field);
        }
        expect(text, label).not.toMatch(/\bat [\w.]+ \(|syntax error|relation "|postgres|sb_secret_/);
      }
    });
  }
});
