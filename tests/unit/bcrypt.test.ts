// The stand-in's bcrypt against hashes pgcrypto's crypt() (crypt_blowfish) gives for the
// same password and salt, and the shape GoTrue stores.
import { describe, expect, it } from "vitest";
import { bcrypt, hashPassword } from "../../stack/bcrypt.ts";

describe("bcrypt", () => {
  it.each([
    ["U*U", 5, "CCCCCCCCCCCCCCCCCCCCC.", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
    ["", 5, "CCCCCCCCCCCCCCCCCCCCC.", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"],
    // 72 bytes: pgcrypto was given more and read only these, as bcrypt does.
    ["0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 5, "abcdefghijklmnopqrstuu", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"],
    ["correct horse", 10, "abcdefghijklmnopqrstuu", "$2a$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu"],
  ])("%j at cost %i matches crypt()", (password, cost, salt, expected) => {
    expect(bcrypt(password, cost, salt)).toBe(expected);
  });

  it("hashes with a fresh salt at Go's default cost, as GoTrue stores passwords", () => {
    const first = hashPassword("secret");
    expect(first).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(hashPassword("secret")).not.toBe(first);
    expect(bcrypt("secret", 10, first.slice(7, 29))).toBe(first);
  });
});
