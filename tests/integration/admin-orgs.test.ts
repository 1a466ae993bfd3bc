// /admin/orgs over HTTP (SPEC F4, F14, issue 11), through the typed client:
// organizations, their members and invitations, for operators and organizations' own admins.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient, auditedFor, personalAccessToken, platformUser, signedInUser, type TestCaller } from "../helpers/callers.ts";
import { uniqueEmail } from "../helpers/stack.ts";

let operator: TestCaller;
let owner: TestCaller;
let outsider: TestCaller;
let orgId: string;
const tag = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  operator = await platformUser("admin");
  owner = await signedInUser("org-owner");
  outsider = await signedInUser("org-outsider");
  const { data, response } = await adminClient(owner.token).POST("/admin/orgs", { body: { name: `Acme ${tag}`, slug: `acme-${tag}` } });
  expect(response.status).toBe(201);
  orgId = data!.id;
});

describe("organizations", () => {
  it("an operator lists and searches every organization, with member counts", async () => {
    const { data, response } = await adminClient(operator.token).GET("/admin/orgs", { params: { query: { q: `ACME-${tag}` } } });
    expect(response.status).toBe(200);
    expect(data!.organizations).toEqual([expect.objectContaining({ id: orgId, slug: `acme-${tag}`, member_count: 1 })]);
  });

  it("an owner lists only the organizations they may read", async () => {
    const { data } = await adminClient(owner.token).GET("/admin/orgs", { params: { query: { page_size: 200 } } });
    expect(data!.organizations.map((o) => o.id)).toContain(orgId);
    const { data: theirs } = await adminClient(outsider.token).GET("/admin/orgs", { params: { query: { page_size: 200 } } });
    expect(theirs!.organizations.map((o) => o.id)).not.toContain(orgId);
  });

  it("a duplicate slug or name is a 409 naming the field", async () => {
    const slug = await adminClient(outsider.token).POST("/admin/orgs", { body: { name: `Other ${tag}`, slug: `acme-${tag}` } });
    expect(slug.response.status).toBe(409);
    expect(slug.error!.error.field).toBe("slug");
    const name = await adminClient(outsider.token).POST("/admin/orgs", { body: { name: `Acme ${tag}`, slug: `other-${tag}` } });
    expect(name.response.status).toBe(409);
    expect(name.error!.error.field).toBe("name");
  });

  it("an invalid slug is a 422 naming it", async () => {
    const { error, response } = await adminClient(owner.token).PATCH("/admin/orgs/{id}", { params: { path: { id: orgId } }, body: { slug: "x".repeat(60) } });
    expect(response.status).toBe(422);
    expect(error!.error.field).toBe("slug");
  });

  it("the owner renames it, audited; an outsider cannot, and is audited too", async () => {
    const renamed = await adminClient(owner.token).PATCH("/admin/orgs/{id}", { params: { path: { id: orgId } }, body: { description: "the best" } });
    expect(renamed.response.status).toBe(200);
    expect(renamed.data!.description).toBe("the best");
    expect((await auditedFor(renamed.response)).map((e) => e.action)).toEqual(["organization.update"]);
    const refused = await adminClient(outsider.token).PATCH("/admin/orgs/{id}", { params: { path: { id: orgId } }, body: { description: "mine" } });
    expect(refused.response.status).toBe(403);
    expect(await auditedFor(refused.response)).toEqual([{ action: "organization.update", outcome: "denied", actor_id: outsider.id }]);
  });

  it("the detail shows members with roles, invitations, quota usage and flags; an outsider gets 403; unknown 404", async () => {
    const { data, response } = await adminClient(owner.token).GET("/admin/orgs/{id}", { params: { path: { id: orgId } } });
    expect(response.status).toBe(200);
    expect(data!.members).toEqual([expect.objectContaining({ user_id: owner.id, role: "owner" })]);
    expect(data!.quota_usage).toMatchObject({ members_per_org: { used: 1 } });
    expect((await adminClient(outsider.token).GET("/admin/orgs/{id}", { params: { path: { id: orgId } } })).response.status).toBe(403);
    expect((await adminClient(operator.token).GET("/admin/orgs/{id}", { params: { path: { id: "00000000-0000-4000-8000-000000000000" } } })).response.status).toBe(404);
  });

  it("a token needs the org:read scope to list", async () => {
    expect((await adminClient(await personalAccessToken(owner, ["tokens:read"])).GET("/admin/orgs")).response.status).toBe(403);
    expect((await adminClient(await personalAccessToken(owner, ["org:read"])).GET("/admin/orgs")).response.status).toBe(200);
  });
});

describe("members", () => {
  it("an operator adds a member by id and by email, changes a role, removes them — each audited", async () => {
    const person = await signedInUser("joiner");
    const byId = await adminClient(operator.token).POST("/admin/orgs/{id}/members", { params: { path: { id: orgId } }, body: { user_id: person.id, role: "viewer" } });
    expect(byId.response.status).toBe(201);
    expect(byId.data).toMatchObject({ user_id: person.id, role: "viewer" });
    const changed = await adminClient(operator.token).PATCH("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: orgId, user_id: person.id } }, body: { role: "admin" } });
    expect(changed.data).toMatchObject({ role: "admin" });
    const removed = await adminClient(operator.token).DELETE("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: orgId, user_id: person.id } } });
    expect(removed.data).toMatchObject({ removed: true });
    const other = await signedInUser("by-email");
    const byEmail = await adminClient(operator.token).POST("/admin/orgs/{id}/members", { params: { path: { id: orgId } }, body: { email: other.email } });
    expect(byEmail.data).toMatchObject({ user_id: other.id, role: "member" });
    const actions = [];
    for (const r of [byId, changed, removed, byEmail]) actions.push(...(await auditedFor(r.response)).map((e) => e.action));
    expect(actions).toEqual(["membership.add", "membership.change_role", "membership.remove", "membership.add"]);
  });

  it("adding someone already a member is a 409; giving both id and email a 422", async () => {
    const dup = await adminClient(operator.token).POST("/admin/orgs/{id}/members", { params: { path: { id: orgId } }, body: { user_id: owner.id } });
    expect(dup.response.status).toBe(409);
    const both = await adminClient(operator.token).POST("/admin/orgs/{id}/members", { params: { path: { id: orgId } }, body: { user_id: owner.id, email: owner.email } });
    expect(both.response.status).toBe(422);
    expect(both.error!.error.field).toBe("user_id");
  });

  it("the last owner cannot be removed or demoted, even by an operator (409); an outsider cannot remove anyone (403)", async () => {
    const removed = await adminClient(operator.token).DELETE("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: orgId, user_id: owner.id } } });
    expect(removed.response.status).toBe(409);
    expect(removed.error!.error.message).toBe("the last owner cannot leave or be removed; transfer ownership first");
    const demoted = await adminClient(operator.token).PATCH("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: orgId, user_id: owner.id } }, body: { role: "admin" } });
    expect(demoted.response.status).toBe(409);
    expect((await adminClient(outsider.token).DELETE("/admin/orgs/{id}/members/{user_id}", { params: { path: { id: orgId, user_id: owner.id } } })).response.status).toBe(403);
  });
});

describe("invitations", () => {
  it("the owner invites, lists and revokes; the token appears once", async () => {
    const email = uniqueEmail("invitee");
    const created = await adminClient(owner.token).POST("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } }, body: { email, role: "member" } });
    expect(created.response.status).toBe(201);
    expect(created.data!.token).toBeTruthy();
    const listed = await adminClient(owner.token).GET("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } } });
    expect(listed.data!.invitations).toEqual([expect.objectContaining({ id: created.data!.id, email })]);
    expect(JSON.stringify(listed.data)).not.toContain(created.data!.token);
    const dup = await adminClient(owner.token).POST("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } }, body: { email } });
    expect(dup.response.status).toBe(409);
    const revoked = await adminClient(owner.token).DELETE("/admin/orgs/{id}/invitations/{invitation_id}", { params: { path: { id: orgId, invitation_id: created.data!.id } } });
    expect(revoked.response.status).toBe(200);
    expect((await adminClient(owner.token).GET("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } } })).data!.invitations).toEqual([]);
  });

  it("an invitation is revoked only through its own organization; twice is a 409", async () => {
    const { data: other } = await adminClient(owner.token).POST("/admin/orgs", { body: { name: `Second ${tag}` } });
    const { data: invitation } = await adminClient(owner.token).POST("/admin/orgs/{id}/invitations", { params: { path: { id: other!.id } }, body: { email: uniqueEmail("elsewhere") } });
    const crossed = await adminClient(owner.token).DELETE("/admin/orgs/{id}/invitations/{invitation_id}", { params: { path: { id: orgId, invitation_id: invitation!.id } } });
    expect(crossed.response.status).toBe(404);
    const path = { id: other!.id, invitation_id: invitation!.id };
    expect((await adminClient(owner.token).DELETE("/admin/orgs/{id}/invitations/{invitation_id}", { params: { path } })).response.status).toBe(200);
    expect((await adminClient(owner.token).DELETE("/admin/orgs/{id}/invitations/{invitation_id}", { params: { path } })).response.status).toBe(409);
  });

  it("an outsider can neither list nor create them", async () => {
    expect((await adminClient(outsider.token).GET("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } } })).response.status).toBe(403);
    expect((await adminClient(outsider.token).POST("/admin/orgs/{id}/invitations", { params: { path: { id: orgId } }, body: { email: uniqueEmail("x") } })).response.status).toBe(403);
  });
});

describe("DELETE /admin/orgs/{id}", () => {
  it("the owner deletes a non-default organization, audited; the default one cannot be deleted", async () => {
    const { data } = await adminClient(owner.token).POST("/admin/orgs", { body: { name: `Doomed ${tag}` } });
    const deleted = await adminClient(owner.token).DELETE("/admin/orgs/{id}", { params: { path: { id: data!.id } } });
    expect(deleted.response.status).toBe(200);
    expect((await auditedFor(deleted.response)).map((e) => e.action)).toEqual(["organization.delete"]);
    expect((await adminClient(owner.token).GET("/admin/orgs/{id}", { params: { path: { id: data!.id } } })).response.status).toBe(403);
  });

  it("without credentials everything is a 401", async () => {
    expect((await adminClient().GET("/admin/orgs")).response.status).toBe(401);
  });
});
