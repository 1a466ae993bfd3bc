// Supabase Auth sign-in in a real browser, against the local stack's stand-in: password,
// magic link from the local mailbox (PKCE, ?code= taken off the address), the API clients
// following a refresh, sign-out ending the session, a banned user refused, keyboard only;
// and the built console on a static host of another origin (config.json, CORS).
import { readFileSync, existsSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleDist } from "../../stack/console.ts";
import { capture, desktop, goTo, openConsole, phone, useBrowser } from "../helpers/console.ts";
import { adminClient, platformUser } from "../helpers/callers.ts";
import { serverClient, stack, uniqueEmail } from "../helpers/stack.ts";

useBrowser();

const admin = serverClient(stack.secretKey).auth.admin;
const STORAGE_KEY = "tenantry.console.auth";
const PASSWORD = "a long enough passphrase";

async function userWithPassword(label: string, options: { ban?: string } = {}): Promise<{ id: string; email: string }> {
  const email = uniqueEmail(label);
  const { data, error } = await admin.createUser({ email, password: PASSWORD, email_confirm: true, ban_duration: options.ban });
  expect(error).toBeNull();
  return { id: data.user!.id, email };
}

async function choose(page: Page, method: "Password" | "Magic link"): Promise<void> {
  await page.getByRole("radio", { name: method }).check();
}

async function signInWithPassword(page: Page, email: string, password = PASSWORD): Promise<void> {
  await choose(page, "Password");
  const form = page.getByRole("form", { name: "Password sign-in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in with password" }).click();
}

const accountEmail = (page: Page) => page.getByTestId("account-email").textContent();
const storedSession = (page: Page) =>
  page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "null") as { access_token: string; refresh_token: string; expires_at: number } | null, STORAGE_KEY);

async function lastMagicLink(email: string): Promise<string> {
  const res = await fetch(`${stack.url}/mailbox/messages?to=${encodeURIComponent(email)}`);
  const { messages } = (await res.json()) as { messages: { link: string }[] };
  expect(messages.length).toBeGreaterThan(0);
  return messages.at(-1)!.link;
}

async function refreshWith(refreshToken: string) {
  const res = await fetch(`${stack.url}/auth/v1/token?grant_type=refresh_token`, {
    method: "POST",
    headers: { apikey: stack.publishableKey, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  return { status: res.status, body: await res.json() };
}

describe("Supabase Auth sign-in", () => {
  it("password: a user with a password signs in through Supabase Auth and sees their account", async () => {
    const user = await userWithPassword("console-password");
    const page = await openConsole();
    await choose(page, "Password");
    await capture(page, "sign-in-password-1280");
    await page.setViewportSize(phone);
    await capture(page, "sign-in-password-390");
    await signInWithPassword(page, user.email);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    // A supabase-js session (access and refresh token), not a development token.
    expect(await storedSession(page)).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(await page.evaluate(() => sessionStorage.getItem("tenantry.console.token"))).toBeNull();
    await page.context().close();
  });

  it("password: a wrong password is refused, GoTrue's message and code in the toast, and the form stays", async () => {
    const user = await userWithPassword("console-wrong");
    const page = await openConsole();
    await signInWithPassword(page, user.email, "not the passphrase");
    await expect.poll(() => page.getByTestId("toast-title").textContent()).toBe("Invalid login credentials");
    expect(await page.getByTestId("toast-description").textContent()).toBe("invalid_credentials · HTTP 400");
    expect(await page.getByRole("form", { name: "Password sign-in" }).count()).toBe(1);
    expect(await storedSession(page)).toBeNull();
    await capture(page, "sign-in-password-refused");
    await page.context().close();
  });

  it("magic link: the link from the local mailbox signs the user in, and the address loses its ?code=", async () => {
    const user = await userWithPassword("console-magic");
    const page = await openConsole({ viewport: phone });
    await choose(page, "Magic link");
    const form = page.getByRole("form", { name: "Magic link sign-in" });
    await form.getByLabel("Email").fill(user.email);
    await form.getByRole("button", { name: "Send magic link" }).click();
    await expect.poll(() => form.getByRole("status").textContent()).toBe(`Check your inbox: a sign-in link is on its way to ${user.email}.`);
    await capture(page, "sign-in-magic-link-sent-390");
    await page.setViewportSize(desktop);
    await capture(page, "sign-in-magic-link-sent-1280");
    const link = await lastMagicLink(user.email);
    // PKCE: the link's token is the flow's, and it will come back as ?code=, not #access_token=.
    expect(new URL(link).searchParams.get("token")).toMatch(/^pkce_/);
    expect(new URL(link).searchParams.get("redirect_to")).toBe(`${stack.url}/console/`);
    await page.goto(link);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    const landed = new URL(page.url());
    expect(landed.searchParams.has("code")).toBe(false);
    expect(`${landed.origin}${landed.pathname}${landed.search}`).toBe(`${stack.url}/console/`);
    await page.context().close();
  });

  it("the API clients follow a refresh: once supabase-js refreshes the session mid-visit, the next request carries the new access token", async () => {
    const user = await userWithPassword("console-refresh");
    const page = await openConsole();
    await signInWithPassword(page, user.email);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    const before = (await storedSession(page))!;
    // The stored session now says it has expired: the next request's token comes from a refresh.
    await page.evaluate((key) => {
      const session = JSON.parse(localStorage.getItem(key)!);
      localStorage.setItem(key, JSON.stringify({ ...session, expires_at: Math.floor(Date.now() / 1000) - 60 }));
    }, STORAGE_KEY);
    const tokensRequest = page.waitForRequest((request) => request.url().includes("/functions/v1/me/tokens"));
    await goTo(page, "My tokens");
    const bearer = (await tokensRequest).headers().authorization;
    const after = (await storedSession(page))!;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe(before.access_token);
    expect(bearer).toBe(`Bearer ${after.access_token}`);
    // Within GoTrue's reuse interval the rotated-out token answers with its successor (two tabs refreshing at once).
    expect((await refreshWith(before.refresh_token)).body.refresh_token).toBe(after.refresh_token);
    await page.context().close();
  });

  it("sign-out returns to the sign-in screen, and the old session's refresh token is refused", async () => {
    const user = await userWithPassword("console-signout");
    const page = await openConsole();
    await signInWithPassword(page, user.email);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    const { refresh_token } = (await storedSession(page))!;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in", level: 2 }).waitFor();
    expect(await storedSession(page)).toBeNull();
    expect(await refreshWith(refresh_token)).toEqual({ status: 400, body: { code: "refresh_token_not_found", message: "Invalid Refresh Token: Refresh Token Not Found" } });
    // A reload does not bring the session back.
    await page.reload();
    await page.getByRole("heading", { name: "Sign in", level: 2 }).waitFor();
    expect(await page.getByTestId("account-email").count()).toBe(0);
    await page.context().close();
  });

  it("a banned user is refused: the password as GoTrue refuses it, and their magic link lands back on sign-in with the refusal", async () => {
    const banned = await userWithPassword("console-banned", { ban: "24h" });
    const page = await openConsole();
    await signInWithPassword(page, banned.email);
    await expect.poll(() => page.getByTestId("toast-title").textContent()).toBe("User is banned");
    expect(await page.getByTestId("toast-description").textContent()).toBe("user_banned · HTTP 400");
    expect(await storedSession(page)).toBeNull();
    await page.context().close();

    // Banned after asking for a link: following it is refused (GoTrue's 403 in the redirect).
    const later = await userWithPassword("console-banned-later");
    const second = await openConsole();
    await choose(second, "Magic link");
    const form = second.getByRole("form", { name: "Magic link sign-in" });
    await form.getByLabel("Email").fill(later.email);
    await form.getByRole("button", { name: "Send magic link" }).click();
    await form.getByRole("status").filter({ hasText: later.email }).waitFor();
    await admin.updateUserById(later.id, { ban_duration: "1h" });
    await second.goto(await lastMagicLink(later.email));
    await expect.poll(() => second.getByTestId("toast-title").textContent()).toBe("User is banned");
    expect(await second.getByTestId("toast-description").textContent()).toBe("user_banned · HTTP 403");
    await second.getByRole("heading", { name: "Sign in", level: 2 }).waitFor();
    const landed = new URL(second.url());
    expect([...landed.searchParams.keys()]).toEqual([]);
    expect(landed.hash).toBe("#/");
    expect(await storedSession(second)).toBeNull();
    await second.context().close();
  });

  it("a user who signs in after another signed out in a second tab never sees what the first user's requests returned", async () => {
    const first = await userWithPassword("console-first");
    const second = await userWithPassword("console-second");
    const page = await openConsole();
    await signInWithPassword(page, first.email);
    await expect.poll(() => accountEmail(page)).toBe(first.email);
    // A second tab of the same browser shares the session and signs out there.
    const other = await page.context().newPage();
    await other.goto(page.url());
    await expect.poll(() => accountEmail(other)).toBe(first.email);
    await other.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("radio", { name: "Password" }).waitFor();
    // The second user's GET /me is held back: meanwhile the account screen must not show the first user.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/functions/v1/me", async (route) => {
      await held;
      await route.continue();
    });
    await signInWithPassword(page, second.email);
    await page.getByRole("status").filter({ hasText: "Loading your account" }).waitFor();
    expect(await page.getByTestId("account-email").count()).toBe(0);
    expect(await page.content()).not.toContain(first.email);
    release();
    await expect.poll(() => accountEmail(page)).toBe(second.email);
    await page.context().close();
  });

  it("a user disabled while signed in is refused at their session's next renewal: back on sign-in, told why in the toast", async () => {
    const user = await userWithPassword("console-disabled-session");
    const page = await openConsole();
    await signInWithPassword(page, user.email);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    const operator = await platformUser("admin", "console-session-disabler");
    expect((await adminClient(operator.token).POST("/admin/users/{id}/disable", { params: { path: { id: user.id } } })).response.status).toBe(200);
    // The stored session says it has expired: the next request needs a renewal, which Supabase Auth refuses.
    await page.evaluate((key) => {
      const session = JSON.parse(localStorage.getItem(key)!);
      localStorage.setItem(key, JSON.stringify({ ...session, expires_at: Math.floor(Date.now() / 1000) - 60 }));
    }, STORAGE_KEY);
    const renewal = page.waitForResponse((r) => r.url().includes("/auth/v1/token?grant_type=refresh_token"));
    await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: "My tokens" }).click();
    expect((await renewal).status()).toBe(400);
    await page.getByRole("radio", { name: "Password" }).waitFor();
    await expect.poll(() => page.getByTestId("toast-title").allTextContents()).toContainEqual(expect.stringMatching(/^You were signed out/));
    expect(await storedSession(page)).toBeNull();
    await page.context().close();
  });

  it("keyboard only: arrow keys pick the password method, Tab moves through the fields, Enter signs in", async () => {
    const user = await userWithPassword("console-keys");
    const page = await openConsole();
    const firstMethod = page.getByRole("radio", { name: "Development token" });
    for (let i = 0; i < 10 && !(await firstMethod.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    expect(await firstMethod.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("radio", { name: "Password" }).isChecked()).toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.type(user.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    await page.context().close();
  });
});

describe("the built console on a static host", () => {
  let host: http.Server;
  let hostUrl = "";

  // Any static host: console/dist under /console/, and the config.json a deployment writes.
  beforeAll(async () => {
    const config = JSON.stringify({ url: stack.url, publishableKey: stack.publishableKey });
    host = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? "/", "http://host").pathname;
      if (pathname === "/console/config.json") return void res.writeHead(200, { "content-type": "application/json" }).end(config);
      const file = path.join(consoleDist, pathname.replace(/^\/console\//, "") || "index.html");
      const found = file.startsWith(consoleDist) && existsSync(file) && statSync(file).isFile() ? file : path.join(consoleDist, "index.html");
      const type = found.endsWith(".js") ? "text/javascript" : found.endsWith(".css") ? "text/css" : "text/html";
      res.writeHead(200, { "content-type": type }).end(readFileSync(found));
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    // localhost, not 127.0.0.1: another origin than the project's.
    hostUrl = `http://localhost:${(host.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => host.close(() => resolve())));

  it("offers only the Supabase Auth forms, and a password sign-in reaches Auth and the API across origins (CORS)", async () => {
    const user = await userWithPassword("console-hosted");
    const page = await openConsoleAt(`${hostUrl}/console/`);
    expect(await page.getByRole("radio", { name: "Development token" }).count()).toBe(0);
    await capture(page, "sign-in-hosted-1280");
    await signInWithPassword(page, user.email);
    await expect.poll(() => accountEmail(page)).toBe(user.email);
    expect(new URL(page.url()).origin).not.toBe(stack.url);
    await page.context().close();
  });
});

/** openConsole at another address than the stack's (the shared helper opens the stack's). */
async function openConsoleAt(url: string): Promise<Page> {
  const page = await openConsole({ viewport: desktop });
  await page.goto(url);
  await page.getByRole("radio", { name: "Password" }).waitFor();
  return page;
}
