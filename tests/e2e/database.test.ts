// Database in a real browser (platform rls:manage): the server's status, the row-level
// security report with each registered table's state, a table whose RLS was switched off
// shown as drifted and repaired by Enable RLS (through the confirmation dialog, by
// keyboard), its per-table report shown line by line as the stream arrives, and an
// Enable RLS the API refuses (403) shown in the toast with its debug id.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, platformUser, sql, uniqueWord } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { stack } from "../helpers/stack.ts";

useBrowser();

/** An application table of this file's own, registered with protect_table. */
const probe = uniqueWord("console_rls_probe");

beforeAll(async () => {
  // The admin function repairs drifted registered tables once, at its first request
  // (USER_MGMT_RLS_ENFORCE): let that happen first, so only Enable RLS repairs the probe.
  const admin = await platformUser("admin", "console-rls-warmup");
  await call("admin/status/db", admin.token);
  const deadline = Date.now() + 20_000;
  while (!readFileSync(stack.functionLog, "utf8").split("\n").some((l) => l.startsWith("[admin]") && l.includes('"event":"rls_enforce"'))) {
    if (Date.now() > deadline) throw new Error("the stack's admin function never logged its rls_enforce summary");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await sql.unsafe(`create table public.${probe} (id uuid primary key default gen_random_uuid(), user_id uuid not null, note text)`);
  await sql`select public.protect_table(${`public.${probe}`}::regclass, 'owner')`;
});

afterAll(async () => {
  await sql.unsafe(`drop table if exists public.${probe}`);
  await sql`delete from private.protected_tables where table_name = ${probe}`;
});

const rlsTable = (page: Page) => page.getByRole("table", { name: "Row-level security" });
const rowOf = (page: Page, table: string) => rlsTable(page).locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${table}$`) }) });
const stateOf = (page: Page, table: string) => rowOf(page, table).getByTestId("rls-state").textContent();

describe("Database", () => {
  it("Database: the RLS table lists every registered table with its state, and the server's status is shown", async () => {
    const admin = await platformUser("admin", "console-db-admin");
    const page = await signIn(admin.email);
    await goTo(page, "Database");
    await rlsTable(page).waitFor();
    const registered = await sql<{ t: string }[]>`select format('%I.%I', schema_name, table_name) as t from private.protected_tables t
      where to_regclass(format('%I.%I', schema_name, table_name)) is not null order by 1`;
    expect(registered.map((r) => r.t)).toContain(`public.${probe}`);
    for (const { t } of registered) expect(await stateOf(page, t)).toBe("protected");
    expect(await rowOf(page, "public.projects").locator("td").nth(6).textContent()).toBe("org by organization_id (data:read / data:write)");
    expect(await stateOf(page, "public.profiles")).toBe("Tenantry (RLS on)");
    const tables = await sql<{ n: number }[]>`select count(*)::int as n from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')`;
    expect(await rlsTable(page).locator("tbody tr").count()).toBeGreaterThanOrEqual(tables[0].n);

    const status = page.getByTestId("server-status");
    const [{ server_version }] = await sql<{ server_version: string }[]>`show server_version`;
    const [{ db }] = await sql<{ db: string }[]>`select current_database() as db`;
    expect(await status.textContent()).toContain(`PostgreSQL${server_version}`);
    expect(await status.textContent()).toContain(`Database${db}`);
    expect(await page.getByTestId("migrations").textContent()).toMatch(/^current \d+ applied, \d+ shipped; latest applied \d+/);
    expect(await page.getByTestId("rls-summary").textContent()).toMatch(/^\d+ tables: \d+ with RLS \(\d+ forced\), \d+ protected by protect_table, 0 drifted/);
    await capture(page, "database");
    await page.setViewportSize(phone);
    await capture(page, "database-390");
    await page.context().close();
  });

  it("Database by keyboard: a table whose RLS was switched off shows as drifted; Enable RLS, confirmed in the dialog, streams a line per table, repairs it, and the table refreshes to protected", async () => {
    const admin = await platformUser("admin", "console-db-apply");
    await sql.unsafe(`alter table public.${probe} disable row level security`);
    const page = await signIn(admin.email);
    await goTo(page, "Database");
    await rlsTable(page).waitFor();
    expect(await stateOf(page, `public.${probe}`)).toBe("drifted");
    expect(await rowOf(page, `public.${probe}`).locator(".db-drift").textContent()).toBe("row-level security is disabled");
    expect(await page.getByTestId("rls-summary").textContent()).toContain(" 1 drifted");
    await capture(page, "database-drifted");

    // Every count of report lines the page shows, as it shows them.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { lineCounts: number[] }).lineCounts = seen;
      new MutationObserver(() => {
        const count = document.querySelectorAll('[data-testid="apply-lines"] li').length;
        if (seen.at(-1) !== count) seen.push(count);
      }).observe(document.body, { childList: true, subtree: true });
    });

    await page.getByRole("button", { name: "Enable RLS", exact: true }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("alertdialog", { name: "Enable RLS on every registered table?" });
    await dialog.waitFor();
    await capture(page, "database-enable-rls-dialog");
    // Escape cancels: nothing is applied.
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByTestId("apply-lines").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Enable RLS");
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    // The dialog focuses Cancel first; Tab reaches the action.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Enable RLS now");
    await page.keyboard.press("Enter");

    const registered = await sql<{ t: string }[]>`select format('%I.%I', schema_name, table_name) as t from private.protected_tables`;
    const lines = page.getByTestId("apply-lines").locator("li");
    await expect.poll(() => page.getByTestId("apply-status").textContent(), { timeout: 20_000 }).toMatch(/^Finished/);
    expect((await lines.locator("code").allTextContents()).sort()).toEqual(registered.map((r) => r.t).sort());
    const probeLine = lines.filter({ hasText: `public.${probe}` });
    expect(await probeLine.getAttribute("data-status")).toBe("applied");
    expect(await probeLine.textContent()).toContain("RLS turned on");
    expect(await lines.filter({ hasText: "public.projects" }).textContent()).toContain("RLS was already on; no policy missing");
    // Shown as they arrived: the page went through counts between none and all.
    const counts = await page.evaluate(() => (window as unknown as { lineCounts: number[] }).lineCounts);
    expect(counts.at(-1)).toBe(registered.length);
    expect(counts.filter((n) => n > 0 && n < registered.length).length).toBeGreaterThan(0);

    await expect.poll(() => stateOf(page, `public.${probe}`)).toBe("protected");
    const [{ on }] = await sql<{ on: boolean }[]>`select relrowsecurity as on from pg_class where oid = ${`public.${probe}`}::regclass`;
    expect(on).toBe(true);
    await expect.poll(() => page.getByTestId("rls-summary").textContent()).toContain(" 0 drifted");
    await capture(page, "database-enable-rls-report");
    await page.setViewportSize(phone);
    await capture(page, "database-enable-rls-report-390");
    await page.context().close();
  });

  it("Database: an admin who lost rls:manage after the screen loaded gets the API's 403 in the toast, with its debug id", async () => {
    const admin = await platformUser("admin", "console-db-demoted");
    const page = await signIn(admin.email, { colorScheme: "dark" });
    await goTo(page, "Database");
    await rlsTable(page).waitFor();
    await capture(page, "database-dark");
    await sql`delete from public.platform_role_assignments where user_id = ${admin.id}`;
    await page.getByRole("button", { name: "Enable RLS", exact: true }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Enable RLS now" }).click();
    await expect.poll(() => page.getByTestId("toast-description").textContent()).toMatch(/^forbidden · HTTP 403 · debug id [0-9a-f-]{36}$/);
    expect(await page.getByTestId("toast-title").textContent()).toMatch(/rls:manage/);
    const debugId = /debug id (\S+)/.exec((await page.getByTestId("toast-description").textContent())!)![1];
    const [event] = await sql<{ action: string; outcome: string; actor_id: string }[]>`
      select action, outcome, actor_id from public.audit_events where request_id = ${debugId}`;
    expect({ ...event }).toEqual({ action: "rls.read", outcome: "denied", actor_id: admin.id });
    expect(await page.getByTestId("apply-lines").locator("li").count()).toBe(0);
    // One toast: the refused action's (the report is not read again after a refusal that changed nothing).
    await page.waitForLoadState("networkidle");
    expect(await page.getByTestId("toast-title").count()).toBe(1);
    await capture(page, "database-enable-rls-refused-dark");
    await page.context().close();
  });
});
