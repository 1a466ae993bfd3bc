// Organizations in a real browser (platform org:read): the table with member counts, its
// debounced server-side search and cursor pages; the detail drawer (keyboard too);
// create and edit with the slug's hint and the API's field errors (422, and the 409 of a
// slug or name in use) on their fields; members added by email and by id, re-roled and
// removed, the last owner kept; invitations sent and revoked; deletion of a non-default
// organization, never the default one; an auditor who may look but not change.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { adminClient, platformUser, signedInUser, sql, uniqueWord } from "../helpers/callers.ts";
import { capture, goTo, phone, signIn, useBrowser } from "../helpers/console.ts";
import { documentedResponse } from "../helpers/openapi-schema.ts";
import { stack } from "../helpers/stack.ts";

useBrowser();

/** An organization created through the API by this caller (who becomes its owner). */
async function organizationOf(token: string, name = uniqueWord("acme")) {
  const created = await adminClient(token).POST("/admin/orgs", { body: { name } });
  expect(created.response.status).toBe(201);
  return created.data!;
}

/** The Organizations screen, searched down to this organization, its drawer opened from its row. */
async function openOrganization(page: Page, name: string) {
  await page.getByLabel("Search").fill(name);
  await page.getByRole("button", { name: `Open ${name}`, exact: true }).click();
  await page.getByRole("dialog", { name }).getByRole("table", { name: `Members of ${name}` }).waitFor();
  // The drawer, whatever it is named after a rename.
  return page.getByRole("dialog");
}

async function detailOf(token: string, id: string) {
  const detail = await adminClient(token).GET("/admin/orgs/{id}", { params: { path: { id } } });
  expect(detail.response.status).toBe(200);
  return detail.data!;
}

/** The input's error: what aria-describedby points at, with the .field-error class. */
async function fieldError(scope: Page | Locator, label: string): Promise<string | null> {
  const input = scope.getByLabel(label, { exact: true });
  if ((await input.getAttribute("aria-invalid")) !== "true") return null;
  const ids = (await input.getAttribute("aria-describedby"))?.split(" ") ?? [];
  for (const id of ids) {
    const element = scope.locator(`[id="${id}"]`);
    if ((await element.getAttribute("class"))?.split(" ").includes("field-error")) return element.textContent();
  }
  return null;
}

const toast = (page: Page) => page.getByTestId("toast-description").last().textContent();
const memberRow = (drawer: Locator, name: string, who: string) =>
  drawer.getByRole("table", { name: `Members of ${name}` }).locator("tbody tr", { hasText: who });

describe("Organizations", () => {
  it("a platform admin sees organizations with member counts, searches them on the server (debounced) and pages them by cursor", async () => {
    const word = uniqueWord("findorg").replace("_", "-");
    // 21 matching organizations: a page and one more. The newest has three members.
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) {
      const [org] = await sql<{ id: string }[]>`
        insert into public.organizations (slug, name) values (${`${word}-${String(i).padStart(2, "0")}`}, ${`${word} ${String(i).padStart(2, "0")}`}) returning id`;
      ids.push(org.id);
    }
    for (let i = 0; i < 3; i++) {
      const member = await signedInUser("org-counted");
      await sql`insert into public.memberships (organization_id, user_id, role) values (${ids[20]}, ${member.id}, 'member')`;
    }
    const admin = await platformUser("admin", "orgs-admin");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const table = page.getByRole("table", { name: "Organizations" });
    await table.locator("tbody tr").first().waitFor();
    await capture(page, "organizations");

    const searches: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/functions/v1/admin/orgs") && url.searchParams.get("q")) searches.push(url.searchParams.get("q")!);
    });
    await page.getByLabel("Search").pressSequentially(word, { delay: 20 });
    await expect.poll(() => searches.at(-1)).toBe(word);
    await expect.poll(async () => (await table.locator("tbody tr td:nth-child(2)").allTextContents()).every((slug) => slug.startsWith(word))).toBe(true);
    expect(await table.locator("tbody tr").count()).toBe(20);
    // Debounced: far fewer requests than keystrokes.
    expect(searches.length).toBeLessThan(word.length / 2);
    const newest = table.locator("tbody tr", { hasText: `${word}-20` });
    expect(await newest.getByTestId("member-count").textContent()).toBe("3");
    expect(await table.locator("tbody tr", { hasText: `${word}-19` }).getByTestId("member-count").textContent()).toBe("0");
    await capture(page, "organizations-search");

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    expect(await table.locator("tbody tr td:nth-child(2)").textContent()).toBe(`${word}-00`);
    await expect(page.getByRole("button", { name: "Next" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(20);

    await page.getByLabel("Search").fill(`${word}-nothing`);
    await expect.poll(() => table.locator("tbody").textContent()).toContain("No organization matches");
    await page.setViewportSize(phone);
    await page.getByLabel("Search").fill(word);
    await expect.poll(() => table.locator("tbody tr").count()).toBe(20);
    await capture(page, "organizations-390");
    await page.context().close();
  });

  it("keyboard only: Enter on a row's button opens the drawer with the members, Escape closes it, focus returns to the button", async () => {
    const owner = await signedInUser("org-kb-owner");
    const org = await organizationOf(owner.token);
    const admin = await platformUser("admin", "orgs-kb-admin");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const search = page.getByLabel("Search");
    await search.focus();
    await page.keyboard.type(org.name);
    const open = page.getByRole("button", { name: `Open ${org.name}`, exact: true });
    await open.waitFor();
    await expect.poll(() => page.getByRole("table", { name: "Organizations" }).locator("tbody tr").count()).toBe(1);
    for (let i = 0; i < 10 && !(await open.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    const drawer = page.getByRole("dialog", { name: org.name });
    await drawer.waitFor();
    await expect.poll(() => memberRow(drawer, org.name, owner.email).count()).toBe(1);
    expect(await memberRow(drawer, org.name, owner.email).locator("select").inputValue()).toBe("owner");
    expect(await drawer.getByTestId("org-slug").textContent()).toBe(org.slug);
    // Focus is inside the drawer, on its first control.
    expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await capture(page, "organizations-drawer");
    await page.keyboard.press("Escape");
    await expect.poll(() => drawer.count()).toBe(0);
    await expect.poll(() => open.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await drawer.waitFor();
    await page.setViewportSize(phone);
    await capture(page, "organizations-drawer-390");
    await page.context().close();
  });

  it("creates an organization; a slug in use is shown on the slug field (the API's 409), an invalid one too (its 422), the hint predicting it", async () => {
    const admin = await platformUser("admin", "orgs-create");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const name = uniqueWord("Rocket");
    const slug = name.toLowerCase().replace("_", "-");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await expect.poll(() => page.locator("#new-org-slug-hint").textContent()).toContain(`Saved as “${slug}”`);
    await page.getByLabel("Slug (optional)").fill(slug);
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Created" }).textContent()).toBe(`Created ${name} (${slug}).`);
    await page.getByLabel("Search").fill(slug);
    await page.getByRole("button", { name: `Open ${name}`, exact: true }).waitFor();
    const listed = await adminClient(admin.token).GET("/admin/orgs", { params: { query: { q: slug } } });
    expect(listed.data?.organizations.map((o) => [o.name, o.slug, o.member_count])).toEqual([[name, slug, 1]]);

    // The same slug again: a 409 naming the slug, on the slug field (and in the toast).
    await page.getByLabel("Name", { exact: true }).fill(`${name} two`);
    await page.getByLabel("Slug (optional)").fill(slug);
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect.poll(() => fieldError(page, "Slug (optional)")).toBe(`an organization with slug "${slug}" already exists`);
    expect(await fieldError(page, "Name")).toBeNull();
    await expect.poll(() => toast(page)).toMatch(/^conflict · HTTP 409 · debug id [0-9a-f-]{36}/);
    await capture(page, "organizations-create-duplicate-slug");
    // Typing in the field clears the API's error.
    await page.getByLabel("Slug (optional)").fill("!!!");
    expect(await fieldError(page, "Slug (optional)")).toBeNull();

    // A slug that normalises to nothing: the hint says so before it is sent; the API's 422 lands on the field.
    await page.setViewportSize(phone);
    expect(await page.locator("#new-org-slug-hint").textContent()).toContain("The API will refuse this slug");
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect.poll(() => fieldError(page, "Slug (optional)")).toBe('slug "!!!" is invalid');
    await expect.poll(() => toast(page)).toMatch(/^invalid_input · HTTP 422 · debug id/);
    await capture(page, "organizations-invalid-slug-390");
    expect((await adminClient(admin.token).GET("/admin/orgs", { params: { query: { q: `${name} two` } } })).data?.organizations).toEqual([]);
    await page.context().close();
  });

  it("renames and re-slugs an organization in the drawer (the API's normalised slug shown); a name in use is shown on the name field", async () => {
    const admin = await platformUser("admin", "orgs-edit");
    const org = await organizationOf(admin.token);
    const other = await organizationOf(admin.token);
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);
    const renamed = uniqueWord("Renamed");
    await drawer.getByLabel("Name", { exact: true }).fill(renamed);
    await drawer.getByLabel("Slug", { exact: true }).fill(`${renamed} Corp.EU`);
    const slug = `${renamed.toLowerCase().replace("_", "-")}-corp-eu`;
    expect(await drawer.locator("#edit-org-slug-hint").textContent()).toContain(`Saved as “${slug}”`);
    await drawer.getByLabel("Description").fill("Rockets and anvils");
    await drawer.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => drawer.getByRole("status").filter({ hasText: "Saved" }).textContent()).toBe(`Saved: ${renamed} (${slug}).`);
    await expect.poll(() => drawer.getByRole("heading", { name: renamed }).count()).toBe(1);
    await expect.poll(() => drawer.getByTestId("org-slug").textContent()).toBe(slug);
    expect(await drawer.getByLabel("Slug", { exact: true }).inputValue()).toBe(slug);
    const saved = (await detailOf(admin.token, org.id)).organization;
    expect([saved.name, saved.slug, saved.description]).toEqual([renamed, slug, "Rockets and anvils"]);

    // Another organization's name: the API's 409 names the name field.
    await drawer.getByLabel("Name", { exact: true }).fill(other.name);
    await drawer.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => fieldError(drawer, "Name")).toBe(`an organization named "${other.name}" already exists`);
    expect(await fieldError(drawer, "Slug")).toBeNull();
    await capture(page, "organizations-edit-duplicate-name");
    // Another organization's slug: on the slug field.
    await drawer.getByLabel("Name", { exact: true }).fill(renamed);
    await drawer.getByLabel("Slug", { exact: true }).fill(other.slug);
    await drawer.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => fieldError(drawer, "Slug")).toBe(`an organization with slug "${other.slug}" already exists`);
    expect((await detailOf(admin.token, org.id)).organization.slug).toBe(slug);
    await drawer.getByRole("button", { name: "Close", exact: true }).click();
    await expect.poll(() => drawer.count()).toBe(0);
    // The table shows the new name.
    await page.getByLabel("Search").fill(renamed);
    await page.getByRole("button", { name: `Open ${renamed}`, exact: true }).waitFor();
    await page.context().close();
  });

  it("members: an admin adds one by email and one by user id, changes a role, and removes one after confirming", async () => {
    const admin = await platformUser("admin", "orgs-members");
    const org = await organizationOf(admin.token);
    const byEmail = await signedInUser("org-by-email");
    const byId = await signedInUser("org-by-id");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);

    await drawer.getByLabel("User id or email").fill(byEmail.email);
    await drawer.getByRole("button", { name: "Add member" }).click();
    await expect.poll(() => memberRow(drawer, org.name, byEmail.email).count()).toBe(1);
    expect(await drawer.getByRole("status").filter({ hasText: "Added" }).textContent()).toBe(`Added ${byEmail.email} as member.`);

    await drawer.getByLabel("User id or email").fill(byId.id);
    await drawer.getByLabel("Role", { exact: true }).selectOption("viewer");
    await drawer.getByRole("button", { name: "Add member" }).click();
    await expect.poll(() => memberRow(drawer, org.name, byId.email).count()).toBe(1);
    expect(await drawer.getByLabel(`Role of ${byId.email} in ${org.name}`).inputValue()).toBe("viewer");
    // Adding them again: the API's 409 on the field.
    await drawer.getByLabel("User id or email").fill(byId.id);
    await drawer.getByRole("button", { name: "Add member" }).click();
    await expect.poll(() => fieldError(drawer, "User id or email")).toBe("that user is already a member of this organization");

    await drawer.getByLabel(`Role of ${byEmail.email} in ${org.name}`).selectOption("admin");
    await expect.poll(async () => (await detailOf(admin.token, org.id)).members.find((m) => m.user_id === byEmail.id)?.role).toBe("admin");
    await expect.poll(() => drawer.getByLabel(`Role of ${byEmail.email} in ${org.name}`).inputValue()).toBe("admin");

    await drawer.getByRole("button", { name: `Remove ${byId.email} from ${org.name}` }).click();
    const dialog = page.getByRole("alertdialog", { name: `Remove ${byId.email}?` });
    await dialog.waitFor();
    await capture(page, "organizations-remove-member-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await memberRow(drawer, org.name, byId.email).count()).toBe(1);
    await drawer.getByRole("button", { name: `Remove ${byId.email} from ${org.name}` }).click();
    await dialog.getByRole("button", { name: "Remove member" }).click();
    await expect.poll(() => memberRow(drawer, org.name, byId.email).count()).toBe(0);
    const members = (await detailOf(admin.token, org.id)).members.map((m) => [m.email, m.role]).sort();
    expect(members).toEqual([[admin.email, "owner"], [byEmail.email, "admin"]].sort());
    await drawer.getByRole("button", { name: "Close", exact: true }).click();
    await expect.poll(() => drawer.count()).toBe(0);
    await expect.poll(() => page.getByRole("button", { name: `Open ${org.name}` }).locator("xpath=ancestor::tr").getByTestId("member-count").textContent()).toBe("2");
    await page.context().close();
  });

  it("the last owner can be neither removed nor demoted: the API's 409 shows in the members card and the toast", async () => {
    const owner = await signedInUser("org-last-owner");
    const org = await organizationOf(owner.token);
    const admin = await platformUser("admin", "orgs-last-owner");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);

    await drawer.getByRole("button", { name: `Remove ${owner.email} from ${org.name}` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove member" }).click();
    await expect.poll(() => drawer.getByTestId("member-problem").textContent()).toBe("the last owner cannot leave or be removed; transfer ownership first");
    await expect.poll(() => toast(page)).toMatch(/^conflict · HTTP 409 · debug id/);
    expect(await memberRow(drawer, org.name, owner.email).count()).toBe(1);

    const role = drawer.getByLabel(`Role of ${owner.email} in ${org.name}`);
    await role.selectOption("admin");
    await expect.poll(() => drawer.getByTestId("member-problem").textContent()).toBe("the last owner cannot be demoted; transfer ownership first");
    await expect.poll(() => role.inputValue()).toBe("owner");
    await capture(page, "organizations-last-owner");
    expect((await detailOf(admin.token, org.id)).members.map((m) => [m.user_id, m.role])).toEqual([[owner.id, "owner"]]);
    await page.context().close();
  });

  it("invitations: an admin invites by email (the token shown once), sees it listed, and revokes it after confirming", async () => {
    const admin = await platformUser("admin", "orgs-invite");
    const org = await organizationOf(admin.token);
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);
    const invitations = drawer.getByRole("table", { name: `Invitations to ${org.name}` });
    await expect.poll(() => invitations.locator("tbody").textContent()).toBe("No pending invitations.");

    const email = `${uniqueWord("invitee")}@example.test`;
    await drawer.getByLabel("Email to invite").fill(email);
    await drawer.getByLabel("Invited role").selectOption("viewer");
    await drawer.getByRole("button", { name: "Send invitation" }).click();
    await expect.poll(async () => (await drawer.getByTestId("invitation-token").textContent()) ?? "").toMatch(/^[0-9a-f]{64}$/);
    // Shown once, so it can be copied from where it is shown.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url });
    const token = (await drawer.getByTestId("invitation-token").textContent()) ?? "";
    await drawer.getByRole("region", { name: `Invitation token for ${email}` }).getByRole("button", { name: "Copy token" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    const row = invitations.locator("tbody tr", { hasText: email });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator("td").nth(1).textContent()).toBe("viewer");
    await capture(page, "organizations-invitation-created");
    const listed = await adminClient(admin.token).GET("/admin/orgs/{id}/invitations", { params: { path: { id: org.id } } });
    expect(listed.data?.invitations.map((i) => [i.email, i.role])).toEqual([[email, "viewer"]]);

    // Not an email: the API's 422 on the field.
    await drawer.getByLabel("Email to invite").fill("not-an-email");
    await drawer.getByRole("button", { name: "Send invitation" }).click();
    await expect.poll(() => fieldError(drawer, "Email to invite")).toBe("Invalid email address");

    await drawer.getByRole("button", { name: `Revoke the invitation of ${email} to ${org.name}` }).click();
    const dialog = page.getByRole("alertdialog", { name: `Revoke the invitation of ${email}?` });
    await dialog.waitFor();
    await capture(page, "organizations-revoke-invitation-dialog");
    await dialog.getByRole("button", { name: "Revoke invitation" }).click();
    await expect.poll(() => row.count()).toBe(0);
    const after = await adminClient(admin.token).GET("/admin/orgs/{id}/invitations", { params: { path: { id: org.id } } });
    expect(after.data?.invitations).toEqual([]);
    await page.context().close();
  });

  it("deletes a non-default organization after confirming: gone from the table and from GET /admin/orgs", async () => {
    const admin = await platformUser("admin", "orgs-delete");
    const org = await organizationOf(admin.token);
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);
    await drawer.getByRole("button", { name: `Delete ${org.name}` }).click();
    const dialog = page.getByRole("alertdialog", { name: `Delete ${org.name}?` });
    await dialog.waitFor();
    await capture(page, "organizations-delete-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await detailOf(admin.token, org.id)).organization.id).toBe(org.id);

    await page.setViewportSize(phone);
    await drawer.getByRole("button", { name: `Delete ${org.name}` }).click();
    await capture(page, "organizations-delete-dialog-390");
    await dialog.getByRole("button", { name: "Delete organization" }).click();
    await expect.poll(() => drawer.count()).toBe(0);
    await expect.poll(() => page.getByRole("button", { name: `Open ${org.name}` }).count()).toBe(0);
    const listed = await adminClient(admin.token).GET("/admin/orgs", { params: { query: { q: org.name } } });
    expect(listed.data?.organizations).toEqual([]);
    const gone = await adminClient(admin.token).GET("/admin/orgs/{id}", { params: { path: { id: org.id } } });
    expect(gone.response.status).toBe(404);
    await page.context().close();
  });

  it("the default organization, made the product's way, offers no Delete; a deletion the API refuses (403) shows its message and debug id", async () => {
    const admin = await platformUser("admin", "orgs-default");
    const org = await organizationOf(admin.token);
    // The default organization as an operator makes it (README: ensure_default_organization),
    // which also records it in private.settings. What was there before comes back in finally.
    const [before] = await sql<{ settings: string | null; existing: string | null }[]>`
      select (select default_organization_id from private.settings) as settings, (select id from public.organizations where is_default) as existing`;
    const word = uniqueWord("default");
    const [{ made }] = await sql<{ made: { id: string; name: string } }[]>`select public.ensure_default_organization(${word}, ${word.replace("_", "-")}) as made`;
    try {
      expect(made.id).toBe(before.existing ?? made.id);
      const page = await signIn(admin.email);
      await goTo(page, "Organizations");
      const defaultDrawer = await openOrganization(page, made.name);
      await defaultDrawer.getByText("The default organization cannot be deleted.").waitFor();
      expect(await defaultDrawer.getByRole("button", { name: /^Delete / }).count()).toBe(0);
      await page.keyboard.press("Escape");

      // A deletion the API refuses after the drawer offered it (the organization became the
      // default meanwhile): the API's answer then, stubbed as the API documents it, so no
      // shared state has to change for it.
      const debugId = crypto.randomUUID();
      const refusal = { error: { code: "forbidden", message: "the default organization cannot be deleted", debug_id: debugId } };
      documentedResponse("admin", "delete", "/admin/orgs/{id}", 403).parse(refusal);
      await page.route(`**/functions/v1/admin/orgs/${org.id}`, (route) =>
        route.request().method() === "DELETE"
          ? route.fulfill({ status: 403, contentType: "application/json", headers: { "x-debug-id": debugId }, body: JSON.stringify(refusal) })
          : route.fallback(),
      );
      const drawer = await openOrganization(page, org.name);
      await drawer.getByRole("button", { name: `Delete ${org.name}` }).click();
      await page.getByRole("alertdialog").getByRole("button", { name: "Delete organization" }).click();
      await expect.poll(() => page.getByTestId("toast-title").last().textContent()).toBe(refusal.error.message);
      await expect.poll(() => toast(page)).toBe(`forbidden · HTTP 403 · debug id ${debugId}`);
      expect(await drawer.getByRole("alert").textContent()).toBe(refusal.error.message);
      // Still there, and still offered: the refusal changed nothing.
      expect(await drawer.getByRole("button", { name: `Delete ${org.name}` }).count()).toBe(1);
      await capture(page, "organizations-default-refused");
      expect((await detailOf(admin.token, org.id)).organization.id).toBe(org.id);
      await page.context().close();
    } finally {
      if (!before.existing) await sql`delete from public.organizations where id = ${made.id}`;
      await sql`update private.settings set default_organization_id = ${before.settings}`;
    }
  });

  it("an auditor sees the screen and an organization's members, without controls to change them; the API refuses their changes (403)", async () => {
    const owner = await signedInUser("org-audited-owner");
    const org = await organizationOf(owner.token);
    const auditor = await platformUser("auditor", "orgs-auditor");
    const page = await signIn(auditor.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);
    await expect.poll(() => memberRow(drawer, org.name, owner.email).locator("td").nth(1).textContent()).toBe("owner");
    for (const control of ["Save changes", "Add member", "Send invitation", `Delete ${org.name}`, `Remove ${owner.email} from ${org.name}`]) {
      expect(await drawer.getByRole("button", { name: control }).count(), control).toBe(0);
    }
    expect(await drawer.getByRole("combobox").count()).toBe(0);
    await capture(page, "organizations-auditor");
    const api = adminClient(auditor.token);
    const renamed = await api.PATCH("/admin/orgs/{id}", { params: { path: { id: org.id } }, body: { name: "Not allowed" } });
    expect([renamed.response.status, renamed.error?.error.code]).toEqual([403, "forbidden"]);
    const removed = await api.DELETE("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: org.id, user_id: owner.id } } });
    expect(removed.response.status).toBe(403);
    const deleted = await api.DELETE("/admin/orgs/{id}", { params: { path: { id: org.id } } });
    expect(deleted.response.status).toBe(403);
    await page.context().close();
  });

  it("an auditor creates an organization in the console, becomes its owner with its controls, and an email they add becomes an invitation (no users:admin)", async () => {
    const auditor = await platformUser("auditor", "orgs-auditor-owner");
    const page = await signIn(auditor.email);
    await goTo(page, "Organizations");
    const name = uniqueWord("Own");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.getByRole("status").filter({ hasText: `Created ${name}` }).waitFor();
    const drawer = await openOrganization(page, name);
    await expect.poll(() => drawer.getByLabel(`Role of ${auditor.email} in ${name}`).inputValue()).toBe("owner");
    expect(await drawer.getByLabel("User id or email").getAttribute("aria-describedby")).toContain("hint");
    const email = `${uniqueWord("asked")}@example.test`;
    await drawer.getByLabel("User id or email").fill(email);
    await drawer.getByRole("button", { name: "Add member" }).click();
    await expect.poll(async () => (await drawer.getByRole("region", { name: `Invitation token for ${email}` }).getByTestId("invitation-token").textContent()) ?? "").toMatch(/^[0-9a-f]{64}$/);
    await expect.poll(() => drawer.getByRole("table", { name: `Invitations to ${name}` }).locator("tbody tr", { hasText: email }).count()).toBe(1);
    expect(await memberRow(drawer, name, email).count()).toBe(0);
    await page.context().close();
  });

  it("an admin whose platform role is revoked while the drawer is open is refused by the API: its 403 in the toast, nothing changed", async () => {
    const owner = await signedInUser("org-revoked-owner");
    const org = await organizationOf(owner.token);
    const admin = await platformUser("admin", "orgs-revoked");
    const page = await signIn(admin.email);
    await goTo(page, "Organizations");
    const drawer = await openOrganization(page, org.name);
    await sql`delete from public.platform_role_assignments where user_id = ${admin.id}`;
    await drawer.getByLabel("Name", { exact: true }).fill(`${org.name} renamed`);
    await drawer.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => toast(page)).toMatch(/^forbidden · HTTP 403 · debug id [0-9a-f-]{36}/);
    expect((await detailOf(owner.token, org.id)).organization.name).toBe(org.name);
    await page.context().close();
  });
});
