// Users in a real browser (users:admin): the table, its debounced server-side search
// and cursor pagination.
import { describe, expect, it } from "vitest";
import { auth, platformUser } from "../helpers/callers.ts";
import { capture, goTo, signIn, useBrowser } from "../helpers/console.ts";
import { uniqueEmail } from "../helpers/stack.ts";

useBrowser();

describe("Users", () => {
  it("a platform admin sees the Users table, searches it server-side (debounced) and pages it by cursor", async () => {
    const word = uniqueEmail("findme").split("@")[0];
    // 21 users matching the search: one more than a page; the admin, newer, on the unsearched first page.
    for (let i = 0; i < 21; i++) await auth.signUp({ email: `${word}-${String(i).padStart(2, "0")}@example.test` });
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
    // A page of 20 matching users, and no one else.
    await expect.poll(async () => (await table.locator("tbody tr td:first-child").allTextContents()).every((e) => e.startsWith(word))).toBe(true);
    expect(await table.locator("tbody tr").count()).toBe(20);
    // Debounced: far fewer requests than keystrokes.
    expect(searches.length).toBeLessThan(word.length / 2);
    await capture(page, "users-search");

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    await expect.poll(() => page.getByText("Page 2").count()).toBe(1);
    await expect(page.getByRole("button", { name: "Next" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(20);
    await page.context().close();
  });

});
