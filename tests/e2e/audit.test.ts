// Audit in a real browser (platform audit:read): the event list filtered by action, actor,
// organization and time range (the request carries each filter), paged by cursor, an
// event's drawer with its before and after, and the hash chain's verification — verified,
// and broken as the API answers it then. The break itself (an edited event pinpointed by
// verify_audit_chain) is tested in pgTAP, inside a transaction that is rolled back
// (supabase/tests/17_audit_log.test.sql): this file never edits the append-only log.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { adminClient, platformUser, signedInUser, sql, uniqueWord } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { documentedResponse } from "../helpers/openapi-schema.ts";

useBrowser();

/** The page size the Audit screen asks for (console/src/screens/audit/AuditEventList.tsx). */
const PAGE_SIZE = 25;

/** The query of every GET /admin/audit (the list; not verify) the page sends from now on. */
function listRequests(page: Page): URLSearchParams[] {
  const seen: URLSearchParams[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && url.pathname.endsWith("/functions/v1/admin/audit")) seen.push(url.searchParams);
  });
  return seen;
}

/** `count` events of a fresh action (in an organization, if given), written as the operator would; their ids, newest first. */
async function seedEvents(action: string, count: number, targetType = "widget", organizationId: string | null = null): Promise<number[]> {
  await sql`select private.audit(${action}, ${organizationId}::uuid, ${targetType}, 'w' || n::text) from generate_series(1, ${count}) as n`;
  const rows = await sql<{ id: number }[]>`select id::int from public.audit_events where action = ${action} and organization_id is not distinct from ${organizationId}::uuid order by id desc`;
  return rows.map((r) => r.id);
}

/** A fresh organization, made directly in the database (its events are what this file checks). */
async function organization(): Promise<string> {
  const word = uniqueWord("audited");
  const [org] = await sql<{ id: string }[]>`insert into public.organizations (slug, name) values (${word.replace("_", "-")}, ${word}) returning id`;
  return org.id;
}

/** An instant as a datetime-local value in the browser's own time zone, to the second. */
function localInput(page: Page, ms: number): Promise<string> {
  return page.evaluate((at) => {
    const d = new Date(at);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }, ms);
}

const eventsTable = (page: Page) => page.getByRole("table", { name: "Audit events" });
/** The event ids listed, read from each row's open button ("Open event 42 (user.update)"). */
const listedIds = async (page: Page) =>
  (await eventsTable(page).getByRole("button", { name: /^Open event/ }).evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""))).map(
    (label) => Number(/^Open event (\d+)/.exec(label)![1]),
  );

async function applyFilter(page: Page, label: string, value: string) {
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Apply filters" }).click();
}

describe("Audit", () => {
  it("Audit: an auditor narrows the list by action, then by actor; each request carries the filter and only matching events are listed", async () => {
    const auditor = await platformUser("auditor", "console-auditor");
    const admin = await platformUser("admin", "console-audit-admin");
    const subject = await signedInUser("console-audit-subject");
    const action = `${uniqueWord("console")}.filtered`;
    const ids = await seedEvents(action, 3);
    // One change by a known actor: the admin renames the subject.
    expect((await adminClient(admin.token).PATCH("/admin/users/{id}", { params: { path: { id: subject.id } }, body: { display_name: "Filtered By Actor" } })).response.status).toBe(200);

    const page = await signIn(auditor.email);
    await goTo(page, "Audit");
    await expect.poll(() => eventsTable(page).locator("tbody tr").count()).toBeGreaterThan(1);
    await expect.poll(() => page.getByTestId("chain-status").textContent()).toMatch(/^Verified\./);
    await capture(page, "audit");

    const requests = listRequests(page);
    await applyFilter(page, "Action", action);
    await expect.poll(() => requests.at(-1)?.get("action")).toBe(action);
    await expect.poll(() => listedIds(page)).toEqual(ids);
    expect(await eventsTable(page).locator("tbody tr td:nth-child(3)").allTextContents()).toEqual([action, action, action]);
    await capture(page, "audit-filtered");

    await page.getByRole("button", { name: "Clear filters" }).click();
    await applyFilter(page, "Actor (user id)", admin.id);
    await expect.poll(() => requests.at(-1)?.get("actor")).toBe(admin.id);
    expect(requests.at(-1)?.get("action")).toBeNull();
    const byAdmin = await sql<{ id: number }[]>`select id::int from public.audit_events where actor_id = ${admin.id} order by id desc`;
    await expect.poll(() => listedIds(page)).toEqual(byAdmin.map((e) => e.id));
    expect(byAdmin.length).toBeGreaterThan(0);
    await page.context().close();
  });

  it("Audit: an invalid actor is shown on its field and not sent", async () => {
    const auditor = await platformUser("auditor", "console-auditor-invalid");
    const page = await signIn(auditor.email);
    await goTo(page, "Audit");
    await eventsTable(page).waitFor();
    const requests = listRequests(page);
    await applyFilter(page, "Actor (user id)", "bob@example.test");
    const field = page.getByLabel("Actor (user id)", { exact: true });
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#audit-filter-actor-error").textContent()).toBe("An actor is a user id (a UUID).");
    await page.waitForLoadState("networkidle");
    expect(requests).toEqual([]);
    await capture(page, "audit-filter-error");
    await page.context().close();
  });

  it("Audit: a time range (From inclusive, Until exclusive, local time) is sent as ISO instants and narrows the list", async () => {
    const auditor = await platformUser("auditor", "console-auditor-range");
    const action = `${uniqueWord("console")}.ranged`;
    const earlier = await seedEvents(action, 2);
    // More than a second apart: the datetime-local inputs go to the second.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const later = (await seedEvents(action, 5)).filter((id) => !earlier.includes(id));
    const [{ at }] = await sql<{ at: string }[]>`
      select to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from public.audit_events where id = any(${earlier})`;
    // The first whole second after the earlier events: they are before it, the later ones at or after it.
    const boundary = Math.floor(Date.parse(at) / 1000) * 1000 + 1000;

    const page = await signIn(auditor.email);
    // A zone off UTC by a half hour, so local wall time and the ISO instant differ.
    await (await page.context().newCDPSession(page)).send("Emulation.setTimezoneOverride", { timezoneId: "America/St_Johns" });
    expect(await page.evaluate(() => new Date().getTimezoneOffset())).not.toBe(0);
    await goTo(page, "Audit");
    await eventsTable(page).waitFor();
    const requests = listRequests(page);
    await page.getByLabel("Action", { exact: true }).fill(action);
    await applyFilter(page, "From", await localInput(page, boundary));
    await expect.poll(() => requests.at(-1)?.get("since")).toBe(new Date(boundary).toISOString());
    await expect.poll(() => listedIds(page)).toEqual(later);

    await page.getByLabel("From", { exact: true }).fill("");
    await applyFilter(page, "Until (before)", await localInput(page, boundary));
    await expect.poll(() => requests.at(-1)?.get("until")).toBe(new Date(boundary).toISOString());
    expect(requests.at(-1)?.get("since")).toBeNull();
    await expect.poll(() => listedIds(page)).toEqual(earlier);
    await capture(page, "audit-time-range");
    await page.context().close();
  });

  it("Audit: Next and Previous page through the events by cursor, and a new filter starts again at page 1", async () => {
    const auditor = await platformUser("auditor", "console-auditor-pages");
    const action = `${uniqueWord("console")}.paged`;
    const ids = await seedEvents(action, PAGE_SIZE + 1);
    const page = await signIn(auditor.email);
    await goTo(page, "Audit");
    await eventsTable(page).waitFor();
    const requests = listRequests(page);
    await applyFilter(page, "Action", action);
    await expect.poll(() => listedIds(page)).toEqual(ids.slice(0, PAGE_SIZE));
    const pager = page.getByRole("navigation", { name: "Audit event pages" });
    await pager.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => listedIds(page)).toEqual(ids.slice(PAGE_SIZE));
    expect(requests.at(-1)?.get("cursor")).toEqual(expect.any(String));
    expect(await pager.getByText("Page 2").count()).toBe(1);
    expect(await pager.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await pager.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => listedIds(page)).toEqual(ids.slice(0, PAGE_SIZE));

    await pager.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => pager.getByText("Page 2").count()).toBe(1);
    await applyFilter(page, "Target type", "widget");
    await expect.poll(() => requests.at(-1)?.get("target_type")).toBe("widget");
    expect(requests.at(-1)?.get("cursor")).toBeNull();
    await expect.poll(() => pager.getByText("Page 1").count()).toBe(1);
    await expect.poll(() => listedIds(page)).toEqual(ids.slice(0, PAGE_SIZE));
    await page.context().close();
  });

  it("Audit: an admin's rename of a user opens in the drawer with the display name before and after, the changed key marked", async () => {
    const auditor = await platformUser("auditor", "console-auditor-detail");
    const admin = await platformUser("admin", "console-detail-admin");
    const subject = await signedInUser("console-renamed");
    const users = adminClient(admin.token);
    const rename = (display_name: string) => users.PATCH("/admin/users/{id}", { params: { path: { id: subject.id } }, body: { display_name, plan: "free" } });
    expect((await rename("Ada Before")).response.status).toBe(200);
    const renamed = await rename("Ada After");
    expect(renamed.response.status).toBe(200);
    const [event] = await sql<{ id: number; before: unknown; after: unknown }[]>`
      select id::int, before, after from public.audit_events where action = 'user.update' and target_id = ${subject.id} order by id desc limit 1`;
    expect(event.after).toMatchObject({ display_name: "Ada After" });

    for (const viewport of [undefined, phone]) {
      const page = await signIn(auditor.email, { viewport });
      await goTo(page, "Audit");
      await eventsTable(page).waitFor();
      await page.getByLabel("Target id", { exact: true }).fill(subject.id);
      await applyFilter(page, "Action", "user.update");
      await expect.poll(() => listedIds(page)).toContain(event.id);
      await page.getByRole("button", { name: `Open event ${event.id} (user.update)` }).click();
      const drawer = page.getByRole("dialog", { name: `Event ${event.id}: user.update` });
      await drawer.waitFor();
      const facts = drawer.getByTestId("audit-event-facts");
      expect(await facts.textContent()).toContain(admin.id);
      expect(await facts.textContent()).toContain(`user ${subject.id}`);
      expect(await facts.textContent()).toContain(renamed.response.headers.get("x-debug-id"));
      expect(await drawer.getByTestId("audit-before").textContent()).toContain('"display_name": "Ada Before"');
      expect(await drawer.getByTestId("audit-after").textContent()).toContain('"display_name": "Ada After"');
      // Each document is the event's own JSON, key for key; only the key that changed is marked.
      const unmarked = async (testId: string) => (await drawer.getByTestId(testId).textContent())!.replaceAll(" (changed)", "");
      expect(await unmarked("audit-before")).toBe(JSON.stringify(event.before, null, 2));
      expect(await unmarked("audit-after")).toBe(JSON.stringify(event.after, null, 2));
      expect(await drawer.getByTestId("audit-changed").textContent()).toBe("Changed: display_name");
      expect(await drawer.getByTestId("audit-after").locator("mark").allTextContents()).toEqual([expect.stringMatching(/^ {2}"display_name": "Ada After",?$/)]);
      await capture(page, viewport ? "audit-event-detail-390" : "audit-event-detail");
      if (viewport) {
        await page.keyboard.press("Escape");
        await expect.poll(() => drawer.count()).toBe(0);
        await capture(page, "audit-390");
      } else {
        // From the event to everything its actor did: the actor filter, applied.
        const requests = listRequests(page);
        await drawer.getByRole("button", { name: "Show this actor's events" }).click();
        await expect.poll(() => drawer.count()).toBe(0);
        await expect.poll(() => requests.at(-1)?.get("actor")).toBe(admin.id);
        expect(requests.at(-1)?.get("action")).toBeNull();
        expect(await page.getByLabel("Actor (user id)", { exact: true }).inputValue()).toBe(admin.id);
        await expect.poll(() => listedIds(page)).toContain(event.id);
      }
      await page.context().close();
    }
  });

  it("Audit: the chain shows verified; when the API answers that it broke at an event, the screen names that event and the reason, and verified again after", async () => {
    const auditor = await platformUser("auditor", "console-auditor-chain");
    const action = `${uniqueWord("console")}.tampered`;
    const [target] = await seedEvents(action, 1);
    const page = await signIn(auditor.email);
    await goTo(page, "Audit");
    const status = page.getByTestId("chain-status");
    await expect.poll(() => status.textContent()).toMatch(/^Verified\. \d+ events checked/);
    const checked = Number(/(\d+) events checked/.exec((await status.textContent())!)![1]);
    expect(checked).toBeGreaterThan(0);
    await capture(page, "audit-chain-verified");

    // The answer verify_audit_chain gives for an edited event (audit_hardening migration),
    // naming an event that is really listed; checked against the documented schema, so the
    // stub cannot say what the API never would.
    const broken = { ok: false, first_bad_event_id: target, reason: "its content does not match its hash (the event was changed)" };
    documentedResponse("admin", "get", "/admin/audit/verify", 200).parse(broken);
    await applyFilter(page, "Action", action);
    await expect.poll(() => listedIds(page)).toEqual([target]);
    const verifyRoute = "**/functions/v1/admin/audit/verify";
    await page.route(verifyRoute, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(broken) }));
    await page.getByRole("button", { name: "Verify again" }).click();
    await expect.poll(() => status.textContent()).toBe(`Broken at event ${target}: ${broken.reason}`);
    expect(await page.locator(".chain").getAttribute("class")).toContain("chain-broken");
    await capture(page, "audit-chain-broken");
    await page.setViewportSize(phone);
    await capture(page, "audit-chain-broken-390");

    // The API's own answer again: the real chain, untouched, verifies.
    await page.unroute(verifyRoute);
    await page.getByRole("button", { name: "Verify again" }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Verified\./);
    await page.context().close();
  });

  it("Audit: filtered by organization, only that organization's events are listed and the request carries org", async () => {
    const auditor = await platformUser("auditor", "console-auditor-org");
    const [mine, other] = [await organization(), await organization()];
    const action = `${uniqueWord("console")}.in_org`;
    const ours = await seedEvents(action, 2, "widget", mine);
    const theirs = await seedEvents(action, 1, "widget", other);
    const page = await signIn(auditor.email);
    await goTo(page, "Audit");
    await eventsTable(page).waitFor();
    const requests = listRequests(page);
    await applyFilter(page, "Organization id", mine);
    await expect.poll(() => requests.at(-1)?.get("org")).toBe(mine);
    const inOrg = await sql<{ id: number }[]>`select id::int from public.audit_events where organization_id = ${mine} order by id desc`;
    await expect.poll(() => listedIds(page)).toEqual(inOrg.map((e) => e.id));
    expect(inOrg.map((e) => e.id)).toEqual(expect.arrayContaining(ours));
    expect(await listedIds(page)).not.toContain(theirs[0]);
    await capture(page, "audit-filtered-org");
    await page.context().close();
  });

  it("Audit by keyboard only: filter with Enter, open an event from the table, close it with Escape, focus back on its row", async () => {
    const auditor = await platformUser("auditor", "console-auditor-keys");
    const action = `${uniqueWord("console")}.keyboard`;
    const [newest] = await seedEvents(action, 2);
    const page = await signIn(auditor.email, { colorScheme: "dark" });
    await goTo(page, "Audit");
    await eventsTable(page).waitFor();
    await page.getByLabel("Action", { exact: true }).focus();
    await page.keyboard.type(action);
    await page.keyboard.press("Enter");
    await expect.poll(() => listedIds(page)).toHaveLength(2);
    await capture(page, "audit-dark");
    const open = `Open event ${newest} (${action})`;
    await tabTo(page, open);
    await page.keyboard.press("Enter");
    const drawer = page.getByRole("dialog", { name: `Event ${newest}: ${action}` });
    await drawer.waitFor();
    expect(await drawer.getByTestId("audit-event-facts").textContent()).toContain(action);
    await capture(page, "audit-event-detail-dark");
    await page.keyboard.press("Escape");
    await expect.poll(() => drawer.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(open);
    await page.context().close();
  });
});

/** Presses Tab until the focused element has this accessible label (at most 40 times). */
async function tabTo(page: Page, label: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))) === label) return;
  }
  throw new Error(`Tab never reached ${label}`);
}
