// Migrations are applied by the real Supabase CLI and are forward-only (SPEC §2.5).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pushMigrations, testDatabaseName } from "../../stack/database.ts";
import { databaseFingerprint } from "../../stack/fingerprint.ts";
import { externalDbUrl, localDbUrl, projectRoot } from "../../stack/settings.ts";
import { connect, stack } from "../helpers/stack.ts";

const sql = connect();

describe("migrations", () => {
  it("a second `supabase db push` on an up-to-date database applies nothing", async () => {
    const output = await pushMigrations(stack.dbUrl);
    expect(output).toMatch(/up to date/i);
    expect(output).not.toMatch(/Applying migration/);
  });

  it("every migration file is recorded in supabase_migrations.schema_migrations", async () => {
    const files = readdirSync(path.join(projectRoot, "supabase", "migrations")).filter((f) => f.endsWith(".sql"));
    const versions = files.map((f) => f.split("_")[0]).sort();
    const rows = await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(expect.arrayContaining(versions));
  });

  it("no migration hides a conflict behind `if not exists`", () => {
    const dir = path.join(projectRoot, "supabase", "migrations");
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), "utf8").toLowerCase();
      expect(text, file).not.toMatch(/create\s+(table|schema|index|type|extension|function)[^;]*if\s+not\s+exists/);
    }
  });
});

describe("the test database", () => {
  if (externalDbUrl()) {
    it("with SUPABASE_DB_URL set, tests run in that database", () => {
      expect(stack.dbUrl).toBe(externalDbUrl());
    });
    return;
  }

  it("tests run in tenantry_test, not in the development database", async () => {
    const [row] = await sql`select current_database() as name`;
    expect(row.name).toBe(testDatabaseName);
    expect(new URL(stack.dbUrl).pathname).not.toBe(new URL(localDbUrl()).pathname);
  });

  it("is rebuilt for every run: nothing an earlier run wrote is there", async () => {
    // The next test leaves such a row behind; a reused database would still have it.
    const [row] = await sql`select count(*)::int as n from public.organizations where slug like 'isolation-%'`;
    expect(row.n).toBe(0);
  });

  it("what a test writes does not reach the development database", async () => {
    const dev = localDbUrl("supabase_admin");
    const before = await databaseFingerprint(dev);
    await sql`insert into public.organizations (slug, name) values (${`isolation-${Date.now()}`}, ${`Isolation ${Date.now()}`})`;
    expect(await databaseFingerprint(dev)).toEqual(before);
  });
});
