// bcrypt, as Go's golang.org/x/crypto/bcrypt writes it for GoTrue ($2a$, cost 10).
// GoTrue hashes passwords before its transaction, outside the database; the local
// stand-in must too: supabase_auth_admin has no USAGE on `extensions` (pgcrypto), and
// no npm dependency is wanted for it. Blowfish's initial state is the hex expansion of
// pi, computed here rather than pasted as 1,042 constants.
import { randomBytes } from "node:crypto";

/** Go's bcrypt.DefaultCost, what GoTrue uses. */
export const BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes of a password; Go refuses longer ones (ErrPasswordTooLong). */
export const BCRYPT_MAX_BYTES = 72;

const P_WORDS = 18;
const S_WORDS = 4 * 256;
let initialState: Uint32Array | undefined;

/** The first `count` 32-bit words of pi's fractional part (Machin's formula, fixed point). */
function piWords(count: number): Uint32Array {
  const bits = BigInt(count * 32 + 64); // 64 guard bits absorb the truncation of ~10^4 terms
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = one / x;
    for (let n = 1n, sign = 1n; power !== 0n; n += 2n, sign = -sign) {
      sum += (sign * power) / n;
      power /= x * x;
    }
    return sum;
  };
  let fraction = 16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * one;
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    fraction <<= 32n;
    words[i] = Number(fraction >> bits);
    fraction &= one - 1n;
  }
  return words;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;

  constructor() {
    initialState ??= piWords(P_WORDS + S_WORDS);
    this.p = initialState.slice(0, P_WORDS);
    this.s = initialState.slice(P_WORDS);
  }

  private f(x: number): number {
    const s = this.s;
    return (((s[x >>> 24] + s[256 + ((x >>> 16) & 0xff)]) ^ s[512 + ((x >>> 8) & 0xff)]) + s[768 + (x & 0xff)]) >>> 0;
  }

  /** Encrypts the 64-bit block at block[i], block[i + 1] in place. */
  encrypt(block: Uint32Array, i: number): void {
    const p = this.p;
    let l = block[i] ^ p[0];
    let r = block[i + 1];
    for (let round = 1; round <= 16; round += 2) {
      r ^= this.f(l) ^ p[round];
      l ^= this.f(r) ^ p[round + 1];
    }
    block[i] = (r ^ p[17]) >>> 0;
    block[i + 1] = l >>> 0;
  }

  /** Eksblowfish's ExpandKey: the key into P, then P and S re-encrypted, mixed with the salt when given. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const keyWords = cyclicWords(key);
    for (let i = 0; i < P_WORDS; i++) this.p[i] = (this.p[i] ^ keyWords()) >>> 0;
    const saltWords = salt ? cyclicWords(salt) : () => 0;
    const block = new Uint32Array(2);
    const fill = (table: Uint32Array) => {
      for (let i = 0; i < table.length; i += 2) {
        block[0] ^= saltWords();
        block[1] ^= saltWords();
        this.encrypt(block, 0);
        table[i] = block[0];
        table[i + 1] = block[1];
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

/** Big-endian 32-bit words read from `bytes` round and round, as Blowfish_stream2word does. */
function cyclicWords(bytes: Uint8Array): () => number {
  let at = 0;
  return () => {
    let word = 0;
    for (let k = 0; k < 4; k++) {
      word = ((word << 8) | bytes[at]) >>> 0;
      at = (at + 1) % bytes.length;
    }
    return word;
  };
}

// bcrypt's base64: the standard bit order with its own alphabet and no padding.
const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BCRYPT = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function encode(bytes: Uint8Array): string {
  return [...Buffer.from(bytes).toString("base64").replace(/=+$/, "")].map((c) => BCRYPT[STANDARD.indexOf(c)]).join("");
}

function decodeSalt(text: string): Uint8Array {
  return Buffer.from([...text].map((c) => STANDARD[BCRYPT.indexOf(c)]).join(""), "base64").subarray(0, 16);
}

/**
 * The bcrypt hash of `password` with this cost and 16-byte salt (22 bcrypt-base64 characters
 * or raw bytes). Passwords longer than 72 bytes are the caller's to refuse, as Go does.
 */
export function bcrypt(password: string, cost: number, salt: string | Uint8Array): string {
  const saltBytes = typeof salt === "string" ? decodeSalt(salt) : salt;
  const key = Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]);
  const state = new Blowfish();
  state.expand(key, saltBytes);
  for (let i = 0; i < 2 ** cost; i++) {
    state.expand(key);
    state.expand(saltBytes);
  }
  const text = cyclicWords(Buffer.from("OrpheanBeholderScryDoubt"));
  const block = Uint32Array.from({ length: 6 }, text);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) state.encrypt(block, j);
  const digest = Buffer.alloc(24);
  block.forEach((word, i) => digest.writeUInt32BE(word, i * 4));
  return `$2a$${String(cost).padStart(2, "0")}$${encode(saltBytes)}${encode(digest.subarray(0, 23))}`;
}

/** A fresh GoTrue-shaped password hash: random salt, cost 10. */
export function hashPassword(password: string): string {
  return bcrypt(password, BCRYPT_COST, randomBytes(16));
}
