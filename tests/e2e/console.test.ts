// The admin console in a real browser: the development sign-in, the account screen, and
// the Users table (GET /admin/users through the typed client) with its debounced
// server-side search and cursor pagination, and My tokens (generate, secret shown once,
// revoke through a confirmation dialog). Every run writes a screenshot of each screen
// to tests/e2e/screenshots/ (git-ignored).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../../stack/browser.ts";
import { projectRoot } from "../../stack/settings.ts";
import { startStack } from "../../stack/stack.ts";
import { seriousViolations } from "../helpers/axe.ts";
import { adminClient, auth, meClient, platformUser, signedInUser } from "../helpers/callers.ts";
import { stack, uniqueEmail } from "../helpers/stack.ts";

const screenshots = path.join(projectRoot, "tests", "e2e", "screenshots");
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  // A fresh, empty profile every run: a plain launch gives Chromium a temporary --user-data-dir of its own, removed on close.
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
});

afterAll(async () => {
  await browser?.close();
});

async function signIn(email: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${stack.url}/console/`);
  await page.getByLabel("Email").waitFor();
  expect(await seriousViolations(page), "sign-in screen").toEqual([]);
  await page.screenshot({ path: path.join(screenshots, `sign-in-${viewport.width}.png`) });
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByTestId("account-email").textContent()).toBe(email);
  return page;
}

describe("admin console", () => {
  it("a platform admin sees the Users table, searches it server-side (debounced) and pages it by cursor", async () => {
    const word = uniqueEmail("findme").split("@")[0];
    // 21 users matching the search: one more than a page; the admin, newer, on the unsearched first page.
    for (let i = 0; i < 21; i++) await auth.signUp({ email: `${word}-${String(i).padStart(2, "0")}@example.test` });
    const admin = await platformUser("admin", "console-admin");

    const page = await signIn(admin.email);
    const table = page.getByRole("table", { name: "Users" });
    await expect.poll(() => table.locator("tbody tr td:first-child").allTextContents()).toContain(admin.email);
    await page.screenshot({ path: path.join(screenshots, "users.png"), fullPage: true });
    expect(await seriousViolations(page), "users screen").toEqual([]);

    const searches: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/functions/v1/admin/users") && url.searchParams.get("q")) searches.push(url.searchParams.get("q")!);
    });
    await page.getByLabel("Search").pressSequentially(word, { delay: 20 });
    await expect.poll(() => searches.at(-1)).toBe(word);
    // A page of 20 matching users, and no one else.
    await expect.poll(async () => (await table.locator("tbody tr td:first-child").allTextContents()).every((e) => e.startsWith(word))).toBe(true);
    expect(await table.locator("tbody tr").count()).toBe(20);
    // Debounced: far fewer requests than keystrokes.
    expect(searches.length).toBeLessThan(word.length / 2);
    await page.screenshot({ path: path.join(screenshots, "users-search.png"), fullPage: true });

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    await expect.poll(() => page.getByText("Page 2").count()).toBe(1);
    await expect(page.getByRole("button", { name: "Next" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(20);
    await page.context().close();
  });

  it("a user without an admin permission sees only their own account", async () => {
    const user = await signedInUser("console-user");
    const page = await signIn(user.email, { width: 390, height: 844 });
    await expect(page.getByRole("heading", { name: "Your account" }).count()).resolves.toBe(1);
    // Give a wrongly shown table time to appear before asserting it did not.
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("table", { name: "Users" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Users" }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshots, "account.png"), fullPage: true });
    expect(await seriousViolations(page), "account screen at 390 px").toEqual([]);
    await page.context().close();
  });

  it("a user disabled while signed in is refused on their next request, the API's message and debug id in the toast", async () => {
    const user = await signedInUser("console-disabled");
    const page = await signIn(user.email);
    const admin = await platformUser("admin", "console-disabler");
    const disabled = await adminClient(admin.token).POST("/admin/users/{id}/disable", { params: { path: { id: user.id } } });
    expect(disabled.response.status).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByTestId("toast-description").textContent()).toMatch(/HTTP 403 · debug id [0-9a-f-]{36}/);
    expect(await page.getByTestId("toast-title").textContent()).toBeTruthy();
    expect(await page.getByTestId("account-email").count()).toBe(0);
    await page.screenshot({ path: path.join(screenshots, "error-toast.png"), fullPage: true });
    expect(await seriousViolations(page), "error toast").toEqual([]);
    await page.context().close();
  });

  it("My tokens: a user generates a token, sees its secret once with a copy button; after reload it is listed without it; revoked through the dialog, it is gone", async () => {
    const user = await signedInUser("console-tokens");
    const page = await signIn(user.email, { width: 390, height: 844 });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url });
    const name = `ci-${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Expires in (days)").fill("7");
    await page.getByRole("checkbox", { name: "profile:write" }).check();
    await page.getByRole("button", { name: "Generate token" }).click();
    const secret = page.getByTestId("token-secret");
    await secret.waitFor();
    const value = (await secret.textContent()) ?? "";
    expect(value).toMatch(/^tnt_pat_[0-9a-f]{40}/);
    await page.getByRole("button", { name: "Copy secret" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    const table = page.getByRole("table", { name: "My tokens" });
    await expect.poll(() => table.locator("tbody tr td:first-child").allTextContents()).toContain(name);
    await page.screenshot({ path: path.join(screenshots, "tokens-created.png"), fullPage: true });
    expect(await seriousViolations(page), "tokens screen with a new secret at 390 px").toEqual([]);

    await page.reload();
    await expect.poll(() => table.locator("tbody tr td:first-child").allTextContents()).toContain(name);
    const row = table.locator("tbody tr", { hasText: name });
    expect(await row.locator("td").nth(2).textContent()).toBe("profile:write");
    expect(await row.locator("td").nth(3).textContent()).toBe("never");
    expect(await page.getByTestId("token-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(value);

    // Keyboard: the Revoke button opens the dialog, Escape cancels, then the dialog's action revokes.
    await page.getByRole("button", { name: `Revoke ${name}` }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    expect(await seriousViolations(page), "revoke dialog").toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "tokens-revoke.png"), fullPage: true });
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await row.count()).toBe(1);
    await page.getByRole("button", { name: `Revoke ${name}` }).click();
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await expect.poll(() => row.count()).toBe(0);
    await page.reload();
    await table.waitFor();
    await page.waitForLoadState("networkidle");
    expect(await table.locator("tbody tr", { hasText: name }).count()).toBe(0);
    expect(await seriousViolations(page), "tokens screen, none left, at 390 px").toEqual([]);
    const listed = await meClient(user.token).GET("/me/tokens");
    expect(listed.data?.tokens.map((t) => t.name)).not.toContain(name);
    await page.context().close();
  });

  it("My tokens: revoking a token already revoked elsewhere shows the API's 409 in the toast, and the list drops it", async () => {
    const user = await signedInUser("console-revoked");
    const me = meClient(user.token);
    const created = await me.POST("/me/tokens", { body: { name: "elsewhere", scopes: ["tokens:read"], expires_in_days: 3 } });
    expect(created.response.status).toBe(201);
    const page = await signIn(user.email);
    const row = page.getByRole("table", { name: "My tokens" }).locator("tbody tr", { hasText: "elsewhere" });
    await row.waitFor();
    expect((await me.DELETE("/me/tokens/{id}", { params: { path: { id: created.data!.id } } })).response.status).toBe(200);
    await page.getByRole("button", { name: "Revoke elsewhere" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke token" }).click();
    await expect.poll(() => page.getByTestId("toast-description").textContent()).toMatch(/^conflict · HTTP 409 · debug id [0-9a-f-]{36}/);
    await expect.poll(() => row.count()).toBe(0);
    await page.context().close();
  });

  it("My tokens: the scope picker offers exactly the permissions the user holds (GET /me)", async () => {
    const user = await signedInUser("console-scopes");
    const me = (await meClient(user.token).GET("/me")).data!;
    const held = new Set([...me.platform_permissions, ...me.account_permissions, ...me.memberships.flatMap((m) => m.permissions)]);
    expect(held.size).toBeGreaterThan(0);
    const page = await signIn(user.email);
    const picker = page.getByRole("group", { name: /Scopes/ });
    await picker.getByRole("checkbox").first().waitFor();
    const offered = await picker.getByRole("checkbox").evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(offered.sort()).toEqual([...held].sort());
    expect(offered).not.toContain("users:admin");
    await page.screenshot({ path: path.join(screenshots, "tokens.png"), fullPage: true });
    expect(await seriousViolations(page), "tokens screen").toEqual([]);
    await page.context().close();
  });

  it("serves the console's config.json with the project URL and publishable key", async () => {
    const res = await fetch(`${stack.url}/console/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url: stack.url, publishableKey: stack.publishableKey, devSignIn: true });
  });
});

describe("USER_MGMT_UI falsy", () => {
  it("the console answers 404 on every path while the API stays", async () => {
    const off = await startStack({
      db: { url: stack.dbUrl, authAdminUrl: stack.authAdminUrl, local: true },
      port: 0,
      output: () => {},
      functionVariables: { USER_MGMT_UI: "off" },
    });
    try {
      expect(off.consoleUrl).toBeUndefined();
      for (const sub of ["", "config.json", "index.html", "users"]) {
        const res = await fetch(`${off.url}/console/${sub}`);
        expect(res.status, sub).toBe(404);
        expect((await res.json()).error.code).toBe("not_found");
      }
      const signIn = await fetch(`${off.url}/console/dev/sign-in`, { method: "POST", body: JSON.stringify({ email: uniqueEmail("off") }) });
      expect(signIn.status).toBe(404);
      const health = await fetch(`${off.url}/functions/v1/health`, { headers: { apikey: stack.publishableKey } });
      expect(health.status).toBe(200);
      expect((await health.json()).toggles.USER_MGMT_UI).toBe(false);
    } finally {
      await off.stop();
    }
  });
});
