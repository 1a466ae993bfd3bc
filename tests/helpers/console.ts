// The browser suite's helpers: one Chromium per test file (Debian's, driven by
// playwright-core), a signed-in page through the development sign-in, a screen reached
// through the navigation, and a screenshot of it under tests/e2e/screenshots/ (git-ignored).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { chromiumArgs, chromiumPath } from "../../stack/browser.ts";
import { seriousViolations } from "./axe.ts";
import { screenshots } from "./screenshots.ts";

export { screenshots };
import { stack } from "./stack.ts";

export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

let browser: Browser | undefined;

/** Call at the top of a browser test file: a fresh Chromium (its own temporary profile) for the file. */
export function useBrowser(): void {
  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });
}

/** A new page (its own cookies and storage) on the console's sign-in screen. */
export async function openConsole(options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark" } = {}): Promise<Page> {
  if (!browser) throw new Error("useBrowser() was not called in this file");
  const context = await browser.newContext({ viewport: options.viewport ?? desktop, colorScheme: options.colorScheme ?? "light" });
  const page = await context.newPage();
  await page.goto(`${stack.url}/console/`);
  await page.getByLabel("Email").waitFor();
  return page;
}

/** Signs in through the development sign-in and waits for the account screen. */
export async function signIn(email: string, options: Parameters<typeof openConsole>[0] = {}): Promise<Page> {
  const page = await openConsole(options);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByTestId("account-email").textContent()).toBe(email);
  return page;
}

/** Goes to a screen through the navigation, as a user would, and waits for its heading. */
export async function goTo(page: Page, label: string, heading = label): Promise<void> {
  await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: label, exact: true }).click();
  await page.getByRole("heading", { name: heading, exact: true, level: 2 }).waitFor();
}

/** A full-page screenshot named for what it shows, and the axe check of the page as it is now. */
export async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  expect(await seriousViolations(page), name).toEqual([]);
}
