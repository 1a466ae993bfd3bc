// Database in a real browser (platform rls:manage): the server's status, the row-level
// security report with each registered table's state, a table whose RLS was switched off
// shown as drifted and repaired by Enable RLS (through the confirmation dialog, by
// keyboard), its per-table report (the streaming itself is tests/unit/console-ndjson.test.ts),
// and an Enable RLS the API refuses (403) shown in the toast with its debug id. Other
// tables' states belong to other tests: this file asserts only the tables it creates and
// the shipped ones it knows.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { components } from "../../client/types/admin.ts";
import { adminClient, platformUser, sql, uniqueWord } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";

useBrowser();

type RlsReport = components["schemas"]["RlsReport"];

/** An application table of this file's own, registered with protect_table. */
const probe = uniqueWord("console_rls_probe");
async function createProtected(table: string): Promise<void> {
  await sql.unsafe(`create table public.${table} (id uuid primary key default gen_random_uuid(), user_id uuid not null, note text)`);
  await sql`select public.protect_table(${`public.${table}`}::regclass, 'owner')`;
}

const rowIn = (report: RlsReport, table: string) => report.tables.find((t) => t.table === `public.${table}`);

async function rlsReport(token: string): Promise<RlsReport> {
  const { data, response } = await adminClient(token).GET("/admin/rls");
  if (!data) throw new Error(`GET /admin/rls answered ${response.status}`);
  return data;
}

beforeAll(async () => {
  // The browser suite's functions start without USER_MGMT_RLS_ENFORCE's repair
  // (tests/setup/browser-stack.ts): this file's drift stays until Enable RLS repairs it.
  await createProtected(probe);
});

afterAll(async () => {
  await sql.unsafe(`drop table if exists public.${probe}`);
  await sql`delete from private.protected_tables where table_name = ${probe}`;
});

const rlsTable = (page: Page) => page.getByRole("table", { name: "Row-level security" });
const rowOf = (page: Page, table: string) => rlsTable(page).locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${table}$`) }) });
const stateOf = (page: Page, table: string) => rowOf(page, table).getByTestId("rls-state").textContent();

describe("Database", () => {
  it("Database: the RLS table shows this file's table and the shipped ones in their states, and the server's status", async () => {
    const admin = await platformUser("admin", "console-db-admin");
    const page = await signIn(admin.email);
    await goTo(page, "Database");
    await rlsTable(page).waitFor();
    expect(await stateOf(page, `public.${probe}`)).toBe("protected");
    expect(await stateOf(page, "public.projects")).toBe("protected");
    expect(await rowOf(page, "public.projects").locator("td").nth(6).textContent()).toBe("org by organization_id (data:read / data:write)");
    expect(await stateOf(page, "public.profiles")).toBe("Tenantry (RLS on)");
    // One row per table the API reports.
    expect(await rlsTable(page).locator("tbody tr").count()).toBe((await rlsReport(admin.token)).tables.length);

    const status = page.getByTestId("server-status");
    const [{ server_version }] = await sql<{ server_version: string }[]>`show server_version`;
    const [{ db }] = await sql<{ db: string }[]>`select current_database() as db`;
    expect(await status.textContent()).toContain(`PostgreSQL${server_version}`);
    expect(await status.textContent()).toContain(`Database${db}`);
    expect(await page.getByTestId("migrations").textContent()).toMatch(/^current \d+ applied, \d+ shipped; latest applied \d+/);
    expect(await page.getByTestId("rls-summary").textContent()).toMatch(/^\d+ tables: \d+ with RLS \(\d+ forced\), \d+ protected by protect_table, \d+ drifted, \d+ exposed without RLS/);
    await capture(page, "database");
    await page.setViewportSize(phone);
    await capture(page, "database-390");
    await page.context().close();
  });

  it("Database by keyboard: a table whose RLS was switched off shows as drifted; Enable RLS, confirmed in the dialog, reports a line per registered table, repairs it, and the table refreshes to protected", async () => {
    const admin = await platformUser("admin", "console-db-apply");
    await sql.unsafe(`alter table public.${probe} disable row level security`);
    const page = await signIn(admin.email);
    await goTo(page, "Database");
    await rlsTable(page).waitFor();
    expect(await stateOf(page, `public.${probe}`)).toBe("drifted");
    expect(await rowOf(page, `public.${probe}`).locator(".db-drift").textContent()).toBe("row-level security is disabled");
    const drifted = (summary: string | null) => Number(/(\d+) drifted/.exec(summary ?? "")?.[1]);
    expect(drifted(await page.getByTestId("rls-summary").textContent())).toBeGreaterThanOrEqual(1);
    await capture(page, "database-drifted");

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
    const before = await rlsReport(admin.token);
    await page.keyboard.press("Enter");

    const lines = page.getByTestId("apply-lines").locator("li");
    await expect.poll(() => page.getByTestId("apply-status").textContent(), { timeout: 20_000 }).toMatch(/^Finished/);
    // A line per registered table, as the report listed them when Enable RLS started.
    const registered = [...before.tables.filter((t) => t.protection).map((t) => t.table), ...before.missing_protected_tables];
    expect((await lines.locator("code").allTextContents()).sort()).toEqual(registered.sort());
    expect(await page.getByTestId("apply-status").textContent()).toBe(`Finished: ${registered.length} tables reported.`);
    const probeLine = lines.filter({ hasText: `public.${probe}` });
    expect(await probeLine.getAttribute("data-status")).toBe("applied");
    expect(await probeLine.textContent()).toContain("RLS turned on");
    expect(await lines.filter({ hasText: "public.projects" }).textContent()).toContain("RLS was already on; no policy missing");

    await expect.poll(() => stateOf(page, `public.${probe}`)).toBe("protected");
    const [{ on }] = await sql<{ on: boolean }[]>`select relrowsecurity as on from pg_class where oid = ${`public.${probe}`}::regclass`;
    expect(on).toBe(true);
    expect(rowIn(await rlsReport(admin.token), probe)?.drift).toEqual([]);
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
