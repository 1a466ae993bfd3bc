// My tokens in a real browser: generate with a scope picker limited to what the user
// holds, the secret shown once with a copy button, never again after a reload, revoke
// through a confirmation dialog (keyboard too), and a revoke the API refuses.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { adminClient, meClient, platformUser, signedInUser, sql } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { stack } from "../helpers/stack.ts";

useBrowser();

/** Whether this text is anywhere in the page's JavaScript heap (a heap snapshot collects garbage first). */
async function inHeap(page: Page, text: string): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => chunks.push(chunk));
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  await cdp.detach();
  return chunks.join("").includes(text);
}

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

  it("My tokens: after Done, the secret is neither on the page nor, once the screen is left, anywhere in the page's memory", async () => {
    const user = await signedInUser("console-secret-gone");
    const page = await signIn(user.email);
    await goTo(page, "My tokens");
    await page.getByLabel("Name").fill("short-lived");
    await page.getByRole("checkbox", { name: "tokens:read" }).check();
    await page.getByRole("button", { name: "Generate token" }).click();
    const value = (await page.getByTestId("token-secret").textContent()) ?? "";
    expect(value).toMatch(/^tnt_pat_/);
    // The check can see it: shown, it is in memory.
    expect(await inHeap(page, value)).toBe(true);
    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByTestId("token-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(value);
    await goTo(page, "Your account", "Your account");
    expect(await inHeap(page, value)).toBe(false);
    await goTo(page, "My tokens");
    await page.getByRole("table", { name: "My tokens" }).locator("tbody tr", { hasText: "short-lived" }).waitFor();
    expect(await page.content()).not.toContain(value);
    await page.context().close();
  });

  it("My tokens: the scope picker offers exactly the permissions the user holds (an auditor who is a member of one organization), and the API takes a token with all of them but refuses one it does not hold", async () => {
    const admin = await platformUser("admin", "console-scopes-admin");
    const user = await platformUser("auditor", "console-scopes");
    // No personal organization: the user's organization roles are the one given below.
    await sql`delete from public.organizations o where o.is_personal and o.id in (select m.organization_id from public.memberships m where m.user_id = ${user.id})`;
    const org = await adminClient(admin.token).POST("/admin/orgs", { body: { name: `Scopes org ${user.id.slice(0, 8)}` } });
    expect(org.response.status).toBe(201);
    const member = await adminClient(admin.token).POST("/admin/orgs/{id}/members", { params: { path: { id: org.data!.id } }, body: { user_id: user.id, role: "member" } });
    expect(member.response.status).toBe(201);
    // The RBAC catalog (supabase/migrations/20261121000400_rbac_catalog.sql, 20261201000400_caller_and_scopes.sql):
    const auditor = ["audit:read", "org:read", "members:read"];
    const orgMember = ["org:read", "members:read", "data:read", "data:write"];
    const everyUser = ["orgs:create", "orgs:join", "profile:write", "tokens:read", "tokens:manage"];
    const held = [...new Set([...auditor, ...orgMember, ...everyUser])].sort();

    const page = await signIn(user.email);
    await goTo(page, "My tokens");
    const picker = page.getByRole("group", { name: /Scopes/ });
    await picker.getByRole("checkbox").first().waitFor();
    const offered = await picker.getByRole("checkbox").evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect([...offered].sort()).toEqual(held);
    await capture(page, "tokens");

    // Every scope offered is one the API lets this user put on a token; one they do not hold is refused.
    const me = meClient(user.token);
    const all = await me.POST("/me/tokens", { body: { name: "every-scope", scopes: offered, expires_in_days: 1 } });
    expect(all.response.status).toBe(201);
    expect([...all.data!.scopes].sort()).toEqual(held);
    const notHeld = await me.POST("/me/tokens", { body: { name: "not-held", scopes: ["members:manage"], expires_in_days: 1 } });
    expect(notHeld.response.status).toBe(403);
    expect(notHeld.error?.error.message).toContain("members:manage");
    await page.context().close();
  });
});
