// The Audit screen's pure rules: the filter form turned into GET /admin/audit's query, or
// into the problem shown on each field (console/src/screens/audit/filters.ts), and the
// top-level keys an event's before and after differ in (console/src/screens/audit/changes.ts).
import { describe, expect, it } from "vitest";
import { changedKeys } from "../../console/src/screens/audit/changes.ts";
import { emptyDraft, toQuery } from "../../console/src/screens/audit/filters.ts";

const uuid = "0190f5a4-7b2c-7d3e-8f40-123456789abc";

describe("toQuery", () => {
  it("an empty form is an empty query: no filter is sent as an empty string", () => {
    expect(toQuery(emptyDraft)).toEqual({ query: {}, errors: {} });
    expect(toQuery({ ...emptyDraft, action: "   ", actor: " " })).toEqual({ query: {}, errors: {} });
  });

  it("trims each field and names it as the API does", () => {
    const { query, errors } = toQuery({ ...emptyDraft, actor: ` ${uuid} `, org: uuid.toUpperCase(), action: "rls.protect_table", targetType: " user ", targetId: " w1 " });
    expect(errors).toEqual({});
    expect(query).toEqual({ actor: uuid, org: uuid.toUpperCase(), action: "rls.protect_table", target_type: "user", target_id: "w1" });
  });

  it("refuses, on its own field, an actor or organization that is not a UUID and an action that is not dotted lowercase words", () => {
    const { errors } = toQuery({ ...emptyDraft, actor: "bob@example.test", org: "acme", action: "User.Update" });
    expect(Object.keys(errors).sort()).toEqual(["action", "actor", "org"]);
    expect(toQuery({ ...emptyDraft, action: "user" }).errors.action).toBeDefined();
    expect(toQuery({ ...emptyDraft, action: "user.update." }).errors.action).toBeDefined();
    expect(toQuery({ ...emptyDraft, actor: `${uuid}0` }).errors.actor).toBeDefined();
  });

  it("a time range is local wall time sent as the ISO instant it is; Until must be later than From", () => {
    const { query, errors } = toQuery({ ...emptyDraft, since: "2026-03-08T01:30:15", until: "2026-03-08T04:00:00" });
    expect(errors).toEqual({});
    // Read back in local time, each instant is the wall time that was typed.
    const since = new Date(query.since!);
    expect([since.getFullYear(), since.getMonth() + 1, since.getDate(), since.getHours(), since.getMinutes(), since.getSeconds()]).toEqual([2026, 3, 8, 1, 30, 15]);
    expect(query.since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(query.until!).getHours()).toBe(4);

    expect(toQuery({ ...emptyDraft, since: "2026-03-08T04:00:00", until: "2026-03-08T04:00:00" }).errors).toEqual({ until: "Must be later than From." });
    expect(toQuery({ ...emptyDraft, since: "2026-03-09T00:00:00", until: "2026-03-08T00:00:00" }).errors.until).toBe("Must be later than From.");
  });

  it("a value that is no date and time is refused on its field and not sent", () => {
    const { query, errors } = toQuery({ ...emptyDraft, since: "2026-13-45T99:00", until: "soon" });
    expect(errors).toEqual({ since: "Not a date and time.", until: "Not a date and time." });
    expect(query).toEqual({});
  });
});

describe("changedKeys", () => {
  it("lists, sorted, the top-level keys whose values differ, a key on one side only included", () => {
    const before = { plan: "free", display_name: "Ada", tags: ["a"], nested: { x: 1 }, gone: true };
    const after = { plan: "free", display_name: "Ada L.", tags: ["a", "b"], nested: { x: 1 }, added: null };
    expect(changedKeys(before, after)).toEqual(["added", "display_name", "gone", "tags"]);
  });

  it("a change deep inside a value counts for its top-level key; identical objects change nothing", () => {
    expect(changedKeys({ settings: { theme: { dark: true } } }, { settings: { theme: { dark: false } } })).toEqual(["settings"]);
    expect(changedKeys({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toEqual([]);
  });

  it("against a missing side, every key of the other changed (a creation, a deletion)", () => {
    expect(changedKeys(null, { id: 1, name: "x" })).toEqual(["id", "name"]);
    expect(changedKeys({ id: 1 }, null)).toEqual(["id"]);
  });

  it("is null when neither side is an object: nothing to mark", () => {
    expect(changedKeys(null, null)).toBeNull();
    expect(changedKeys("old", "new")).toBeNull();
    expect(changedKeys([1], [2])).toBeNull();
  });
});
