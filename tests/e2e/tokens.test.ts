// My tokens in a real browser: generate with a scope picker limited to what the user
// holds, the secret shown once with a copy button, never again after a reload, revoke
// through a confirmation dialog (keyboard too), and a revoke the API refuses.
import { describe, expect, it } from "vitest";
import { meClient, signedInUser } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { stack } from "../helpers/stack.ts";

useBrowser();

describe("My tokens", () => {
  it("My tokens: a user generates a token, sees its secret once with a copy button; after reload it is listed without it; revoked through the dialog, it is gone", async () => {
    const user = await signedInUser("console-tokens");
    const page = await signIn(user.email, { viewport: phone });
    await goTo(page, "My tokens");
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
    await capture(page, "tokens-created");

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
    await capture(page, "tokens-revoke-dialog");
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
    await capture(page, "tokens-none-left-390");
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
    await goTo(page, "My tokens");
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
    await goTo(page, "My tokens");
    const picker = page.getByRole("group", { name: /Scopes/ });
    await picker.getByRole("checkbox").first().waitFor();
    const offered = await picker.getByRole("checkbox").evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(offered.sort()).toEqual([...held].sort());
    expect(offered).not.toContain("users:admin");
    await capture(page, "tokens");
    await page.context().close();
  });

});
