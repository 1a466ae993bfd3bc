// The console's shell in a real browser: sign-in, the screens a user's platform
// permissions show, a disabled user refused on their next request, light and dark, the
// runtime config, and USER_MGMT_UI.
import { describe, expect, it } from "vitest";
import { startStack } from "../../stack/stack.ts";
import { adminClient, meClient, platformUser, signedInUser } from "../helpers/callers.ts";
import { capture, openConsole, phone, signIn, useBrowser } from "../helpers/console.ts";
import { stack, uniqueEmail } from "../helpers/stack.ts";

useBrowser();

const navLinks = (page: Awaited<ReturnType<typeof signIn>>) => page.getByRole("navigation", { name: "Screens" }).getByRole("link").allTextContents();

describe("sign-in and navigation", () => {
  it("the sign-in screen passes axe at 1280 px and at 390 px", async () => {
    const page = await openConsole();
    await capture(page, "sign-in-1280");
    await page.setViewportSize(phone);
    await capture(page, "sign-in-390");
    await page.context().close();
  });

  it("a user without an admin permission sees only their own account and tokens", async () => {
    const user = await signedInUser("console-user");
    const page = await signIn(user.email, { viewport: phone });
    await expect(page.getByRole("heading", { name: "Your account" }).count()).resolves.toBe(1);
    expect(await navLinks(page)).toEqual(["Your account", "My tokens"]);
    // Typing an admin screen's address shows no admin screen.
    await page.goto(`${stack.url}/console/#/users`);
    await page.getByRole("alert").waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("table", { name: "Users" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Users" }).count()).toBe(0);
    await page.goto(`${stack.url}/console/#/`);
    await page.getByTestId("account-email").waitFor();
    await capture(page, "account");
    await page.context().close();
  });

  it("a platform admin sees every screen in the navigation", async () => {
    const admin = await platformUser("admin", "console-nav-admin");
    const page = await signIn(admin.email);
    expect(await navLinks(page)).toEqual(["Your account", "My tokens", "Users", "Organizations", "Audit", "Database"]);
    await page.context().close();
  });

  it("an auditor sees the Audit and Organizations screens and not Users or Database", async () => {
    const auditor = await platformUser("auditor", "console-nav-auditor");
    const page = await signIn(auditor.email);
    expect(await navLinks(page)).toEqual(["Your account", "My tokens", "Organizations", "Audit"]);
    await page.context().close();
  });

  it("every screen an admin sees fits a 390 px phone without sideways scrolling, and passes axe in dark", async () => {
    const admin = await platformUser("admin", "console-phone-admin");
    const page = await signIn(admin.email, { viewport: phone, colorScheme: "dark" });
    const labels = await navLinks(page);
    expect(labels.length).toBe(6);
    for (const label of labels) {
      const link = page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: label, exact: true });
      await link.click();
      await page.waitForLoadState("networkidle");
      await expect.poll(() => link.getAttribute("aria-current")).toBe("page");
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
      expect(widths.page, `${label} at 390 px`).toBeLessThanOrEqual(widths.viewport);
      await capture(page, `dark-390-${label.toLowerCase().replace(/\W+/g, "-")}`);
    }
    await page.context().close();
  });

  it("a user without the permission is refused by the API too, not only shown fewer screens", async () => {
    const user = await signedInUser("console-refused");
    expect((await adminClient(user.token).GET("/admin/users", {})).response.status).toBe(403);
    expect((await adminClient(user.token).GET("/admin/rls", {})).response.status).toBe(403);
    expect((await adminClient(user.token).GET("/admin/status/db", {})).response.status).toBe(403);
    expect((await adminClient(user.token).GET("/admin/audit/verify", {})).response.status).toBe(403);
    // Organizations and audit events answer everyone with what their own organizations allow: nothing else.
    const me = (await meClient(user.token).GET("/me")).data!;
    const mine = new Set(me.memberships.map((m) => m.organization_id));
    expect(mine.size).toBeGreaterThan(0);
    const orgs = (await adminClient(user.token).GET("/admin/orgs", {})).data!;
    expect(new Set(orgs.organizations.map((o) => o.id))).toEqual(mine);
    // An event in an organization of theirs, and one in someone else's.
    const own = await meClient(user.token).POST("/me/organizations", { body: { name: `Refused own ${user.id.slice(0, 8)}` } });
    expect(own.response.status).toBe(201);
    const admin = await platformUser("admin", "console-refused-admin");
    const foreign = await adminClient(admin.token).POST("/admin/orgs", { body: { name: `Refused foreign ${user.id.slice(0, 8)}` } });
    expect(foreign.response.status).toBe(201);
    const events = (await adminClient(user.token).GET("/admin/audit", { params: { query: { page_size: 100 } } })).data!.events;
    expect(events.some((e) => e.organization_id === own.data!.id)).toBe(true);
    expect(events.some((e) => e.organization_id === foreign.data!.id)).toBe(false);
    const visible = new Set([...mine, own.data!.id]);
    for (const event of events) expect(visible.has(event.organization_id!)).toBe(true);
  });

  it("the navigation works from the keyboard: Tab reaches a screen's link and Enter opens it", async () => {
    const user = await signedInUser("console-keyboard");
    const page = await signIn(user.email);
    const link = page.getByRole("link", { name: "My tokens" });
    for (let i = 0; i < 10 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    expect(await link.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "My tokens", level: 2 }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/tokens");
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
    await capture(page, "error-toast");
    await page.context().close();
  });
});

describe("light and dark", () => {
  const background = (page: Awaited<ReturnType<typeof signIn>>) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  it("follows the system's dark preference, and the theme picker overrides it and is remembered", async () => {
    const user = await signedInUser("console-theme");
    const page = await signIn(user.email, { colorScheme: "dark" });
    const dark = await background(page);
    expect(dark).not.toBe("rgb(255, 255, 255)");
    await capture(page, "account-dark");
    await page.getByLabel("Theme").selectOption("light");
    await expect.poll(() => background(page)).toBe("rgb(255, 255, 255)");
    await page.reload();
    await page.getByTestId("account-email").waitFor();
    expect(await background(page)).toBe("rgb(255, 255, 255)");
    await page.context().close();

    // On a light system, the picker's dark wins.
    const light = await signIn(user.email, { colorScheme: "light" });
    expect(await background(light)).toBe("rgb(255, 255, 255)");
    await light.getByLabel("Theme").selectOption("dark");
    await expect.poll(() => background(light)).toBe(dark);
    await capture(light, "account-dark-chosen");
    await light.context().close();
  });
});

describe("the console's runtime config", () => {
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
