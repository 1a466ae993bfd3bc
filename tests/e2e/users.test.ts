// Users in a real browser (users:admin): the table, its debounced server-side search,
// filters and cursor pagination; the detail drawer; create/invite, edit, disable/enable
// (optimistic, rolled back on a refusal), delete; platform roles; the Role overrides card.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createPlansClient } from "../../client/index.ts";
import type { components } from "../../client/types/admin.ts";
import { PAGE_SIZE } from "../../console/src/components/paging.ts";
import { adminClient, auth, meClient, platformUser, signedInUser, sql, type TestCaller } from "../helpers/callers.ts";
import { capture, desktop, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { stack, uniqueEmail } from "../helpers/stack.ts";

useBrowser();

const usersTable = (page: Page) => page.getByRole("table", { name: "Users" });
const rowOf = (page: Page, email: string) => usersTable(page).locator("tbody tr", { has: page.getByRole("button", { name: `Open ${email}`, exact: true }) });
const statusIn = (row: ReturnType<typeof rowOf>) => row.getByTestId("user-status").textContent();
const drawer = (page: Page) => page.getByRole("dialog");
const overridesCard = (page: Page) => drawer(page).getByRole("region", { name: "Role overrides" });

/** The admin on the Users screen with the table narrowed by the search box to one user (or to these rows, newest first). */
async function usersScreenWith(admin: TestCaller, search: string, options: Parameters<typeof signIn>[1] = {}, rows = [search]) {
  const page = await signIn(admin.email, options);
  // A missing element fails the test in seconds rather than at the test's timeout.
  page.setDefaultTimeout(10_000);
  await goTo(page, "Users");
  await page.getByLabel("Search").fill(search);
  await expect.poll(() => usersTable(page).locator("tbody tr td:first-child").allTextContents()).toEqual(rows);
  await page.waitForLoadState("networkidle");
  return page;
}

async function openDrawer(page: Page, email: string) {
  await page.getByRole("button", { name: `Open ${email}`, exact: true }).click();
  await drawer(page).getByRole("heading", { name: email }).waitFor();
  await drawer(page).getByRole("region", { name: "Role overrides" }).or(drawer(page).getByText("Not provisioned yet")).first().waitFor();
}

/** The query parameters of every GET /admin/users the page sends from now on. */
function listRequests(page: Page): URLSearchParams[] {
  const seen: URLSearchParams[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && url.pathname.endsWith("/functions/v1/admin/users")) seen.push(url.searchParams);
  });
  return seen;
}

/** The quota card's facts as [term, value] pairs. */
const quotaFacts = (page: Page) =>
  drawer(page).getByTestId("quota-usage").evaluate((dl) => [...dl.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));

/** What the quota card should say for this usage, as GET /admin/users/{id} answers it. */
const expectedQuotaFacts = (usage: components["schemas"]["UserQuotaUsage"]) => [
  ["Plan", usage.plan],
  ["orgs per user", `${usage.orgs_per_user.used} of ${usage.orgs_per_user.max ?? "unlimited"}`],
  ["tokens per user", `${usage.tokens_per_user.used} of ${usage.tokens_per_user.max ?? "unlimited"}`],
];

const toastDescriptions = (page: Page) => page.getByTestId("toast-description").allTextContents();
const toastTitles = (page: Page) => page.getByTestId("toast-title").allTextContents();

describe("Users", () => {
  it("a platform admin sees the Users table, searches it server-side (debounced) and pages it by cursor", async () => {
    const word = uniqueEmail("findme").split("@")[0];
    // One more user matching the search than a page holds; the admin, newer, on the unsearched first page.
    for (let i = 0; i <= PAGE_SIZE; i++) await auth.signUp({ email: `${word}-${String(i).padStart(2, "0")}@example.test` });
    const admin = await platformUser("admin", "console-admin");

    const page = await signIn(admin.email);
    await goTo(page, "Users");
    const table = page.getByRole("table", { name: "Users" });
    await expect.poll(() => table.locator("tbody tr td:first-child").allTextContents()).toContain(admin.email);
    await capture(page, "users");

    const searches: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/functions/v1/admin/users") && url.searchParams.get("q")) searches.push(url.searchParams.get("q")!);
    });
    await page.getByLabel("Search").pressSequentially(word, { delay: 20 });
    await expect.poll(() => searches.at(-1)).toBe(word);
    // A full page of matching users, and no one else.
    await expect.poll(async () => (await table.locator("tbody tr td:first-child").allTextContents()).every((e) => e.startsWith(word))).toBe(true);
    expect(await table.locator("tbody tr").count()).toBe(PAGE_SIZE);
    // Debounced: far fewer requests than keystrokes.
    expect(searches.length).toBeLessThan(word.length / 2);
    await capture(page, "users-search");
    await page.setViewportSize(phone);
    await capture(page, "users-search-390");
    await page.setViewportSize(desktop);

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    await expect.poll(() => page.getByText("Page 2").count()).toBe(1);
    await expect(page.getByRole("button", { name: "Next" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(PAGE_SIZE);
    await page.context().close();
  });

  it("filters narrow the table on the server (status, platform role, organization: each sent as its query parameter) and restart the pages", async () => {
    const word = uniqueEmail("filters").split("@")[0];
    const users = [];
    for (let i = 0; i <= PAGE_SIZE; i++) users.push(await auth.signUp({ email: `${word}-${String(i).padStart(2, "0")}@example.test` }));
    const admin = await platformUser("admin", "users-filter-admin");
    const api = adminClient(admin.token);
    expect((await api.POST("/admin/users/{id}/disable", { params: { path: { id: users[0].id } } })).response.status).toBe(200);
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${users[1].id}, 'auditor', 'admin')`;
    const org = await api.POST("/admin/orgs", { body: { name: `Filter org ${word}`, slug: `${word}-org` } });
    expect(org.response.status).toBe(201);
    for (const member of [users[2], users[3]]) {
      expect((await api.POST("/admin/orgs/{id}/members", { params: { path: { id: org.data!.id } }, body: { user_id: member.id } })).response.status).toBe(201);
    }

    const page = await signIn(admin.email);
    await goTo(page, "Users");
    const requests = listRequests(page);
    const emails = () => usersTable(page).locator("tbody tr td:first-child").allTextContents();
    await page.getByLabel("Search").fill(word);
    // A full page of the matching users, one short of them all (the debounced search has reached the server).
    await expect.poll(async () => (await emails()).filter((e) => e.startsWith(word)).length).toBe(PAGE_SIZE);
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => page.getByText("Page 2").count()).toBe(1);

    // Status: the disabled one only, and back on the first page.
    await page.getByLabel("Status").selectOption("disabled");
    await expect.poll(emails).toEqual([users[0].email]);
    expect(await page.getByText("Page 1").count()).toBe(1);
    const byStatus = requests.at(-1)!;
    expect([byStatus.get("q"), byStatus.get("status"), byStatus.get("cursor")]).toEqual([word, "disabled", null]);
    // The page 2 cursor belongs to the old filters: never sent with the new ones (the API would refuse it).
    expect(requests.filter((r) => r.get("status") && r.get("cursor"))).toEqual([]);
    await page.getByLabel("Status").selectOption("");

    // Platform role: typed (debounced), sent as role.
    await page.getByLabel("Platform role").fill("auditor");
    await expect.poll(emails).toEqual([users[1].email]);
    expect(requests.at(-1)!.get("role")).toBe("auditor");
    expect(await rowOf(page, users[1].email!).locator(".badge-role").allTextContents()).toEqual(["auditor"]);
    await page.getByLabel("Platform role").fill("");

    // Organization: found by its slug, then picked; its members only.
    await page.getByLabel("Find organization").fill(`${word}-org`);
    const picker = page.getByLabel("Organization", { exact: true });
    await expect.poll(() => picker.locator("option").allTextContents()).toContain(`Filter org ${word} (${word}-org)`);
    await picker.selectOption(org.data!.id);
    await expect.poll(async () => (await emails()).sort()).toEqual([users[2].email, users[3].email].sort());
    expect(requests.at(-1)!.get("org")).toBe(org.data!.id);
    await capture(page, "users-filters");
    await page.setViewportSize(phone);
    await capture(page, "users-filters-390");

    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => requests.at(-1)!.toString()).toBe(new URLSearchParams({ page_size: String(PAGE_SIZE) }).toString());
    expect(await toastTitles(page)).toEqual([]);
    await page.context().close();
  });

  it("the drawer shows the user's profile, memberships, platform roles with their source, quota usage and recent audit events", async () => {
    const admin = await platformUser("admin", "users-drawer-admin");
    const user = await signedInUser("users-drawer");
    const api = adminClient(admin.token);
    const org = await api.POST("/admin/orgs", { body: { name: `Drawer org ${user.id.slice(0, 8)}` } });
    expect((await api.POST("/admin/orgs/{id}/members", { params: { path: { id: org.data!.id } }, body: { user_id: user.id, role: "viewer" } })).response.status).toBe(201);
    expect((await api.PUT("/admin/users/{id}/roles/{role}", { params: { path: { id: user.id, role: "auditor" } } })).response.status).toBe(200);
    // One role as role sync grants it from the identity provider's groups.
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${user.id}, 'reader', 'idp')`;
    expect((await api.PATCH("/admin/users/{id}", { params: { path: { id: user.id } }, body: { company_name: "Drawer Ltd" } })).response.status).toBe(200);
    // A failed attempt to provision the user at a sign-in, as provisioning records it.
    await sql`insert into private.provisioning_failures (user_id, sqlstate, error, attempts) values (${user.id}, '23505', 'duplicate key value', 2)`;

    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    const panel = drawer(page);
    await expect(panel.getByLabel("Company").inputValue()).resolves.toBe("Drawer Ltd");
    const memberships = panel.getByRole("table", { name: "Memberships" });
    const orgRow = memberships.locator("tbody tr", { hasText: `Drawer org ${user.id.slice(0, 8)}` });
    expect(await orgRow.locator("td").nth(1).textContent()).toBe("viewer");
    expect(await memberships.locator("tbody tr", { hasText: "personal" }).count()).toBe(1);
    const roles = await panel.getByTestId("platform-role").allTextContents();
    expect(roles.find((r) => r.startsWith("auditor"))).toContain("source: admin");
    expect(roles.find((r) => r.startsWith("reader"))).toContain("source: idp");
    const shown = (await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).data!;
    expect(await quotaFacts(page)).toEqual(expectedQuotaFacts(shown.quota_usage!));
    expect(shown.provisioning.failure).toMatchObject({ sqlstate: "23505", error: "duplicate key value", attempts: 2 });
    expect(await panel.getByTestId("provisioning-failure").textContent()).toMatch(/^duplicate key value \(SQLSTATE 23505, 2 attempts, last .+\)$/);
    const events = panel.getByRole("table", { name: "Recent audit events" });
    const actions = await events.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(actions).toEqual(expect.arrayContaining(["user.update", "platform_role.grant"]));
    expect(await panel.getByTestId("provisioned-at").textContent()).not.toBe("not yet");
    await capture(page, "users-drawer");
    await page.setViewportSize(phone);
    await capture(page, "users-drawer-390");
    await page.context().close();
    // A made-up failure for a user who is provisioned: gone again, so no later reader of a shared database counts it.
    await sql`delete from private.provisioning_failures where user_id = ${user.id}`;
  });

  it("an operator creates a user with a password and invites another into an organization; an email already in use is the API's 409, shown on the field", async () => {
    const admin = await platformUser("admin", "users-create-admin");
    const org = await adminClient(admin.token).POST("/admin/orgs", { body: { name: `Invite org ${admin.id.slice(0, 8)}` } });
    const page = await signIn(admin.email);
    await goTo(page, "Users");
    await page.getByRole("button", { name: "Create or invite a user" }).click();
    const form = page.getByRole("form", { name: "Create or invite a user" });
    await form.waitFor();
    await capture(page, "users-create");

    const created = uniqueEmail("users-created");
    await form.getByLabel("Email", { exact: true }).fill(created);
    await form.getByLabel("Create now with a password").check();
    await form.getByLabel("Password (8 to 72 characters)").fill("correct horse battery");
    await form.getByLabel("Display name (optional)").fill("Created Person");
    await form.getByRole("button", { name: "Create user" }).click();
    // The new user opens in the drawer.
    await drawer(page).getByRole("heading", { name: created }).waitFor();
    await expect(drawer(page).getByLabel("Display name").inputValue()).resolves.toBe("Created Person");
    const api = adminClient(admin.token);
    const found = (await api.GET("/admin/users", { params: { query: { q: created } } })).data!.users;
    expect(found.map((u) => [u.email, u.display_name])).toEqual([[created, "Created Person"]]);
    await page.keyboard.press("Escape");

    const invited = uniqueEmail("users-invited");
    await page.getByRole("button", { name: "Create or invite a user" }).click();
    await form.getByLabel("Email", { exact: true }).fill(invited);
    await form.getByLabel("Find organization").fill(`Invite org ${admin.id.slice(0, 8)}`);
    const picker = form.getByLabel("Add to organization (optional)");
    await expect.poll(() => picker.locator("option").count()).toBe(2);
    await picker.selectOption(org.data!.id);
    await form.getByLabel("Their role there").fill("admin");
    await page.setViewportSize(phone);
    await capture(page, "users-create-390");
    await form.getByRole("button", { name: "Send invitation" }).click();
    await drawer(page).getByRole("heading", { name: invited }).waitFor();
    const inviteRow = drawer(page).getByRole("table", { name: "Memberships" }).locator("tbody tr", { hasText: `Invite org ${admin.id.slice(0, 8)}` });
    expect(await inviteRow.locator("td").nth(1).textContent()).toBe("admin");
    const invitedUser = (await api.GET("/admin/users", { params: { query: { q: invited } } })).data!.users[0];
    const detail = (await api.GET("/admin/users/{id}", { params: { path: { id: invitedUser.id } } })).data!;
    expect(detail.auth!.invited_at).toBeTruthy();
    await page.keyboard.press("Escape");

    // The same email again: Supabase Auth is not asked; the 409 names the email field.
    await page.setViewportSize(desktop);
    await page.getByRole("button", { name: "Create or invite a user" }).click();
    await form.getByLabel("Email", { exact: true }).fill(created);
    await form.getByRole("button", { name: "Send invitation" }).click();
    const email = form.getByLabel("Email", { exact: true });
    await expect.poll(() => email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await email.getAttribute("aria-describedby"))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(`a user with email "${created}" already exists`);
    await expect.poll(() => toastDescriptions(page)).toEqual([expect.stringMatching(/^conflict · HTTP 409 · debug id [0-9a-f-]{36}$/)]);
    await capture(page, "users-create-conflict");
    await page.context().close();
  });

  it("an operator edits a profile and picks a plan from GET /plans; a plan retired after the page loaded is the API's 422, shown on the Plan field", async () => {
    const admin = await platformUser("admin", "users-edit-admin");
    const user = await signedInUser("users-edit");
    const api = adminClient(admin.token);
    const planOf = async () => (await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).data!.profile!.plan;
    const before = await planOf();
    // A plan of the catalog's, retired below while the drawer is open.
    const retired = `retired-${user.id.slice(0, 8)}`;
    await sql`insert into public.plan_limits (plan, limit_name, max_value) values (${retired}, 'orgs_per_user', 1)`;
    const catalog = (await createPlansClient({ url: stack.url }).GET("/plans")).data!.plans.map((p) => p.plan);
    expect(catalog).toContain(retired);
    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    const panel = drawer(page);
    const plan = panel.getByLabel("Plan");
    await expect.poll(() => plan.locator("option").allTextContents()).toEqual(catalog);
    await sql`delete from public.plan_limits where plan = ${retired}`;

    await plan.selectOption(retired);
    await panel.getByRole("button", { name: "Save profile" }).click();
    await expect.poll(() => plan.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator(`[id="${await plan.getAttribute("aria-describedby")}"]`).textContent()).toBe(`unknown plan "${retired}"`);
    await expect.poll(() => toastDescriptions(page)).toEqual([expect.stringMatching(/^invalid_input · HTTP 422 · debug id [0-9a-f-]{36}$/)]);
    expect(await panel.getByRole("alert").allTextContents()).toContain(`Not saved: unknown plan "${retired}"`);
    expect(await planOf()).toBe(before);
    await capture(page, "users-edit-refused");

    // The refusal was about the retired plan: picking another drops it from the field at once, before any save.
    const other = catalog.find((p) => p !== before && p !== retired)!;
    await plan.selectOption(other);
    await expect.poll(() => plan.getAttribute("aria-invalid")).toBeNull();
    expect(await plan.getAttribute("aria-describedby")).toBeNull();
    await panel.getByLabel("Display name").fill("Edited Name");
    await panel.getByLabel("Time zone").fill("Europe/Paris");
    await panel.getByRole("button", { name: "Save profile" }).click();
    await expect.poll(() => panel.getByRole("status").allTextContents()).toContain("Profile saved.");
    const detail = (await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).data!;
    expect([detail.profile!.display_name, detail.profile!.timezone, detail.profile!.plan]).toEqual(["Edited Name", "Europe/Paris", other]);
    // The drawer refreshed: the quota card shows the new plan's limits.
    await expect.poll(() => quotaFacts(page)).toEqual(expectedQuotaFacts(detail.quota_usage!));
    // (Escape would dismiss the 422's toast, the topmost layer, first.)
    await panel.getByRole("button", { name: "Close", exact: true }).click();
    await expect.poll(() => rowOf(page, user.email).locator("td").nth(1).textContent()).toBe("Edited Name");
    await page.context().close();
  });

  it("an operator disables a user from the row and enables them again; the API agrees each time", async () => {
    const admin = await platformUser("admin", "users-disable-admin");
    const user = await signedInUser("users-disable");
    const api = adminClient(admin.token);
    const statusNow = async () => (await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).data!.status;
    // The user's own account, which they may always read while they are active.
    const theirAccount = async () => {
      const answer = await meClient(user.token).GET("/me");
      return { status: answer.response.status, error: answer.error?.error && { code: answer.error.error.code, message: answer.error.error.message } };
    };
    expect(await theirAccount()).toEqual({ status: 200, error: undefined });
    const page = await usersScreenWith(admin, user.email);
    const row = rowOf(page, user.email);
    await page.getByRole("button", { name: `Disable ${user.email}` }).click();
    await expect.poll(() => statusIn(row)).toBe("disabled");
    await expect.poll(statusNow).toBe("disabled");
    // The user is refused on their next request, with the same token.
    expect(await theirAccount()).toEqual({ status: 403, error: { code: "forbidden", message: "this account is disabled" } });
    await page.getByRole("button", { name: `Enable ${user.email}` }).click();
    await expect.poll(() => statusIn(row)).toBe("active");
    await expect.poll(statusNow).toBe("active");
    expect(await theirAccount()).toEqual({ status: 200, error: undefined });
    expect(await toastTitles(page)).toEqual([]);
    await page.context().close();
  });

  it("an optimistic disable is rolled back on a 403: the operator lost users:admin after the page loaded; the row flips, returns, and the toast shows HTTP 403 and the debug id", async () => {
    const admin = await platformUser("admin", "users-rollback-admin");
    const user = await signedInUser("users-rollback");
    const page = await usersScreenWith(admin, user.email);
    const row = rowOf(page, user.email);
    expect(await statusIn(row)).toBe("active");
    // Another operator takes the admin role away between page load and click.
    await sql`delete from public.platform_role_assignments where user_id = ${admin.id} and role = 'admin'`;
    // The answer is held back a moment so the optimistic state can be seen before the API's refusal arrives.
    await page.route("**/functions/v1/admin/users/*/disable", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.getByRole("button", { name: `Disable ${user.email}` }).click();
    await expect.poll(() => statusIn(row), { interval: 50 }).toBe("disabled");
    await expect.poll(() => statusIn(row), { timeout: 5000 }).toBe("active");
    await expect.poll(() => toastDescriptions(page)).toContainEqual(expect.stringMatching(/^forbidden · HTTP 403 · debug id [0-9a-f-]{36}$/));
    expect(await toastTitles(page)).toContain("you may not disable or enable users (users:admin)");
    const other = await platformUser("admin", "users-rollback-checker");
    expect((await adminClient(other.token).GET("/admin/users/{id}", { params: { path: { id: user.id } } })).data!.status).toBe("active");
    await capture(page, "users-rollback-toast");
    await page.context().close();
  });

  it("two disables in flight: each button is unavailable while its request is pending; the refused one (yourself) rolls back alone, the other keeps its new status", async () => {
    const word = uniqueEmail("users-concurrent").split("@")[0];
    const admin = await platformUser("admin", `${word}-admin`);
    const user = await signedInUser(`${word}-user`);
    const page = await usersScreenWith(admin, word, {}, [user.email, admin.email]);
    const [own, other] = [rowOf(page, admin.email), rowOf(page, user.email)];
    // Each request held back, the admin's own (refused: nobody disables themselves) the shorter while.
    // Held long enough for a slow machine to show both optimistic changes before the first answer.
    const held = new Map([[admin.id, 3000], [user.id, 6000]]);
    const sent: string[] = [];
    await page.route("**/functions/v1/admin/users/*/disable", async (route) => {
      const id = new URL(route.request().url()).pathname.split("/").at(-2)!;
      await new Promise((resolve) => setTimeout(resolve, held.get(id)));
      sent.push(id);
      await route.continue();
    });
    const enables: string[] = [];
    page.on("request", (request) => request.url().endsWith("/enable") && enables.push(request.url()));
    await page.getByRole("button", { name: `Disable ${admin.email}` }).click();
    await page.getByRole("button", { name: `Disable ${user.email}` }).click();
    await expect.poll(async () => [await statusIn(own), await statusIn(other)], { timeout: 2500 }).toEqual(["disabled", "disabled"]);
    // Pending: the button (its label already the reverse) says so, and pressing it sends nothing.
    const pendingButton = page.getByRole("button", { name: `Enable ${user.email}` });
    expect(await pendingButton.getAttribute("aria-disabled")).toBe("true");
    await pendingButton.click({ force: true });

    await expect.poll(() => statusIn(own), { timeout: 8000 }).toBe("active");
    expect(await toastTitles(page)).toEqual(["you may not disable yourself"]);
    // Until the other request has gone out (and after), its row keeps the status it is getting.
    const seen = new Set<string | null>();
    const deadline = Date.now() + 8000;
    while (!sent.includes(user.id) && Date.now() < deadline) {
      seen.add(await statusIn(other));
      await page.waitForTimeout(50);
    }
    expect(sent).toEqual([admin.id, user.id]);
    expect([...seen]).toEqual(["disabled"]);
    await expect.poll(() => pendingButton.getAttribute("aria-disabled")).toBe(null);
    await expect.poll(async () => [await statusIn(own), await statusIn(other)]).toEqual(["active", "disabled"]);
    expect(enables).toEqual([]);
    const status = async (id: string) => (await adminClient(admin.token).GET("/admin/users/{id}", { params: { path: { id } } })).data!.status;
    expect([await status(admin.id), await status(user.id)]).toEqual(["active", "disabled"]);
    await page.context().close();
  });

  it("role overrides: an operator pauses automatic revocations, adds preserved and suppressed roles, removes one and saves; the drawer refreshes, shows the saved state after reopening, as GET …/role-overrides does; Clear all empties it", async () => {
    const admin = await platformUser("admin", "users-overrides-admin");
    const user = await signedInUser("users-overrides");
    // A role role sync granted, which the suppression takes away at once.
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${user.id}, 'reader', 'idp')`;
    const api = adminClient(admin.token);
    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    const card = overridesCard(page);
    const pause = card.getByRole("switch", { name: "Pause automatic revocations" });
    expect(await pause.getAttribute("aria-checked")).toBe("false");
    expect(await drawer(page).getByTestId("platform-role").allTextContents()).toEqual([expect.stringMatching(/^reader source: idp/)]);
    await pause.click();
    await card.getByLabel("Add a preserved role").fill("auditor");
    await card.getByRole("button", { name: "Add preserved role" }).click();
    await card.getByLabel("Add a preserved role").fill("admin");
    await card.getByLabel("Add a preserved role").press("Enter");
    await card.getByLabel("Add a suppressed role").fill("reader");
    await card.getByRole("button", { name: "Add suppressed role" }).click();
    expect(await card.getByTestId("overrides-preserved").locator("li > span").allTextContents()).toEqual(["auditor", "admin"]);
    await card.getByRole("button", { name: "Remove preserved role admin" }).click();
    expect(await card.getByTestId("overrides-preserved").locator("li > span").allTextContents()).toEqual(["auditor"]);
    // Nothing is stored before Save.
    expect((await api.GET("/admin/users/{id}/role-overrides", { params: { path: { id: user.id } } })).data!.paused).toBe(false);
    await card.scrollIntoViewIfNeeded();
    await capture(page, "users-overrides-draft");

    await card.getByRole("button", { name: "Save overrides" }).click();
    await expect.poll(() => card.getByRole("status").allTextContents()).toContain("Role overrides saved.");
    // The drawer refreshed: the suppressed role, granted by role sync, is revoked at once (preserving grants nothing).
    await expect.poll(() => drawer(page).getByTestId("platform-role").count()).toBe(0);
    const stored = (await api.GET("/admin/users/{id}/role-overrides", { params: { path: { id: user.id } } })).data!;
    expect({ paused: stored.paused, preserved: stored.preserved, suppressed: stored.suppressed }).toEqual({ paused: true, preserved: ["auditor"], suppressed: ["reader"] });
    await capture(page, "users-overrides-saved");

    await page.keyboard.press("Escape");
    await expect.poll(() => drawer(page).count()).toBe(0);
    await page.reload();
    await page.getByLabel("Search").fill(user.email);
    await openDrawer(page, user.email);
    expect(await pause.getAttribute("aria-checked")).toBe("true");
    expect(await card.getByTestId("paused-state").textContent()).toMatch(/^Paused/);
    expect(await card.getByTestId("overrides-preserved").locator("li > span").allTextContents()).toEqual(stored.preserved);
    expect(await card.getByTestId("overrides-suppressed").locator("li > span").allTextContents()).toEqual(stored.suppressed);
    await page.setViewportSize(phone);
    await card.scrollIntoViewIfNeeded();
    await capture(page, "users-overrides-390");

    await card.getByRole("button", { name: "Clear all overrides" }).click();
    const confirm = page.getByRole("alertdialog");
    await capture(page, "users-overrides-clear-dialog");
    await confirm.getByRole("button", { name: "Clear overrides" }).click();
    await expect.poll(() => card.getByRole("status").allTextContents()).toContain("Role overrides cleared.");
    expect(await pause.getAttribute("aria-checked")).toBe("false");
    expect(await card.getByTestId("overrides-preserved").textContent()).toBe("none");
    const cleared = (await api.GET("/admin/users/{id}/role-overrides", { params: { path: { id: user.id } } })).data!;
    expect({ paused: cleared.paused, preserved: cleared.preserved, suppressed: cleared.suppressed }).toEqual({ paused: false, preserved: [], suppressed: [] });
    await page.context().close();
  });

  it("role overrides the API refuses (422: not a platform role; a role both preserved and suppressed) flash the API's message in an alert and the toast; nothing is stored", async () => {
    const admin = await platformUser("admin", "users-overrides-refused-admin");
    const user = await signedInUser("users-overrides-refused");
    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    const card = overridesCard(page);
    await card.getByLabel("Add a preserved role").fill("nosuchrole");
    await card.getByRole("button", { name: "Add preserved role" }).click();
    await card.getByRole("button", { name: "Save overrides" }).click();
    await expect.poll(() => card.getByRole("alert").allTextContents()).toEqual(['Not saved: preserved: "nosuchrole" is not a platform role']);
    await expect.poll(() => toastDescriptions(page)).toEqual([expect.stringMatching(/^invalid_input · HTTP 422 · debug id [0-9a-f-]{36}$/)]);
    expect(await toastTitles(page)).toEqual(['preserved: "nosuchrole" is not a platform role']);
    await card.scrollIntoViewIfNeeded();
    await capture(page, "users-overrides-refused");
    // The draft stays for the operator to fix.
    await card.getByRole("button", { name: "Remove preserved role nosuchrole" }).click();
    for (const list of ["preserved", "suppressed"]) {
      await card.getByLabel(`Add a ${list} role`).fill("auditor");
      await card.getByRole("button", { name: `Add ${list} role` }).click();
    }
    await card.getByRole("button", { name: "Save overrides" }).click();
    await expect.poll(() => card.getByRole("alert").allTextContents()).toEqual(["Not saved: preserved: auditor cannot be both preserved and suppressed"]);
    const stored = (await adminClient(admin.token).GET("/admin/users/{id}/role-overrides", { params: { path: { id: user.id } } })).data!;
    expect([stored.paused, stored.preserved, stored.suppressed, stored.updated_at]).toEqual([false, [], [], null]);
    await page.context().close();
  });

  it("keyboard only (dark theme): Enter on a row's Open button opens the drawer, Space toggles the pause and Enter saves it, Escape closes the drawer and focus returns to that button", async () => {
    const admin = await platformUser("admin", "users-keyboard-admin");
    const user = await signedInUser("users-keyboard");
    const page = await usersScreenWith(admin, user.email, { colorScheme: "dark" });
    const open = page.getByRole("button", { name: `Open ${user.email}`, exact: true });
    const focused = (locator: typeof open) => locator.evaluate((el) => el === document.activeElement);
    const tabTo = async (locator: typeof open, limit = 40) => {
      for (let i = 0; i < limit && !(await focused(locator)); i++) await page.keyboard.press("Tab");
      expect(await focused(locator)).toBe(true);
    };
    await tabTo(open);
    await page.keyboard.press("Enter");
    await drawer(page).getByRole("heading", { name: user.email }).waitFor();
    const card = overridesCard(page);
    const pause = card.getByRole("switch", { name: "Pause automatic revocations" });
    await tabTo(pause);
    await page.keyboard.press("Space");
    expect(await pause.getAttribute("aria-checked")).toBe("true");
    await tabTo(card.getByRole("button", { name: "Save overrides" }));
    await page.keyboard.press("Enter");
    await expect.poll(() => card.getByRole("status").allTextContents()).toContain("Role overrides saved.");
    await capture(page, "users-overrides-dark");
    await page.keyboard.press("Escape");
    await expect.poll(() => drawer(page).count()).toBe(0);
    await expect.poll(() => focused(open)).toBe(true);
    const stored = (await adminClient(admin.token).GET("/admin/users/{id}/role-overrides", { params: { path: { id: user.id } } })).data!;
    expect(stored.paused).toBe(true);
    await page.context().close();
  });

  it("an operator grants a platform role from the drawer and revokes it through the confirmation; the row's roles follow", async () => {
    const admin = await platformUser("admin", "users-roles-admin");
    const user = await signedInUser("users-roles");
    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    const panel = drawer(page);
    await panel.getByLabel("Grant platform role").fill("reader");
    await panel.getByRole("button", { name: "Grant", exact: true }).click();
    await expect.poll(() => panel.getByTestId("platform-role").allTextContents()).toEqual([expect.stringMatching(/^reader source: admin/)]);
    await panel.getByRole("button", { name: `Revoke platform role reader from ${user.email}` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke role" }).click();
    await expect.poll(() => panel.getByTestId("platform-role").count()).toBe(0);
    const row = (await adminClient(admin.token).GET("/admin/users", { params: { query: { q: user.email } } })).data!.users[0];
    expect(row.platform_roles).toEqual([]);
    await page.keyboard.press("Escape");
    expect(await rowOf(page, user.email).locator(".badge-role").count()).toBe(0);
    await page.context().close();
  });

  it("an operator deletes a user only after confirming: Cancel keeps them, Delete removes the row and the API answers 404", async () => {
    const admin = await platformUser("admin", "users-delete-admin");
    const user = await signedInUser("users-delete");
    const page = await usersScreenWith(admin, user.email);
    await openDrawer(page, user.email);
    await drawer(page).getByRole("button", { name: `Delete ${user.email}` }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    const api = adminClient(admin.token);
    expect((await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).response.status).toBe(200);
    await drawer(page).getByRole("button", { name: `Delete ${user.email}` }).click();
    await capture(page, "users-delete-dialog");
    await confirm.getByRole("button", { name: "Delete user" }).click();
    await expect.poll(() => drawer(page).count()).toBe(0);
    await expect.poll(() => rowOf(page, user.email).count()).toBe(0);
    expect((await api.GET("/admin/users/{id}", { params: { path: { id: user.id } } })).response.status).toBe(404);
    await page.context().close();
  });
});
