// `npm test` runs in its own database, never the development one (issue 10 item 21).
import { afterEach, describe, expect, it, vi } from "vitest";
import { testDatabaseName, testDatabaseTarget } from "../../stack/database.ts";
import { fingerprintChanges } from "../../stack/fingerprint.ts";
import { localDbUrl } from "../../stack/settings.ts";

afterEach(() => vi.unstubAllEnvs());

describe("the test database", () => {
  it("is the local cluster's tenantry_test, not the development database, when no URL is set", () => {
    vi.stubEnv("SUPABASE_DB_URL", "");
    vi.stubEnv("DATABASE_URL", "");
    const target = testDatabaseTarget();
    expect(target.local).toBe(true);
    expect(testDatabaseName).not.toBe("postgres");
    expect(new URL(target.url).pathname).toBe(`/${testDatabaseName}`);
    expect(new URL(target.authAdminUrl).pathname).toBe(`/${testDatabaseName}`);
    expect(target.url).not.toBe(localDbUrl());
    expect(new URL(target.url).pathname).not.toBe(new URL(localDbUrl()).pathname);
  });

  it("is SUPABASE_DB_URL when that is set (tests then write test users there)", () => {
    vi.stubEnv("SUPABASE_DB_URL", "postgresql://postgres:pw@db.example.test:5432/postgres");
    const target = testDatabaseTarget();
    expect(target).toMatchObject({ url: "postgresql://postgres:pw@db.example.test:5432/postgres", local: false });
    expect(new URL(target.authAdminUrl).username).toBe("supabase_auth_admin");
  });
});

describe("the development database check", () => {
  const before = new Map([
    ["public.organizations", "1 rows aaa"],
    ["private.settings", "1 rows bbb"],
  ]);

  it("sees nothing when nothing changed", () => {
    expect(fingerprintChanges(before, new Map(before))).toEqual([]);
  });

  it("names every table whose rows changed, appeared or vanished", () => {
    const after = new Map([
      ["public.organizations", "2 rows ccc"],
      ["public.widgets", "0 rows d"],
    ]);
    expect(fingerprintChanges(before, after)).toEqual([
      "public.organizations: 1 rows aaa → 2 rows ccc",
      "private.settings: dropped",
      "public.widgets: created (0 rows d)",
    ]);
  });
});
