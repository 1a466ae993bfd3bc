// The Enable RLS report is read line by line as the server streams it
// (console/src/screens/database/ndjson.ts): each line is handed over as soon as it is
// complete, however the network splits the bytes, and not before.
import { describe, expect, it } from "vitest";
import { ndjsonLines } from "../../console/src/screens/database/ndjson.ts";

/** A stream this test feeds by hand, chunk by chunk. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    stream,
    send: (bytes: string | Uint8Array) => controller.enqueue(typeof bytes === "string" ? encoder.encode(bytes) : bytes),
    end: () => controller.close(),
  };
}

/** Whether the promise settles within a few turns of the event loop (a pending read never does). */
async function settles<T>(promise: Promise<T>): Promise<boolean> {
  const pending = Symbol("pending");
  return (await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(pending), 20))])) !== pending;
}

describe("ndjsonLines", () => {
  it("hands over each line once its newline arrives, with chunks split mid-line", async () => {
    const { stream, send, end } = controlledStream();
    const lines = ndjsonLines<{ table: string }>(stream);

    send('{"table":"public.a"}\n{"tab');
    expect(await lines.next()).toEqual({ done: false, value: { table: "public.a" } });
    // The second line is half there: nothing is handed over until it completes.
    const second = lines.next();
    expect(await settles(second)).toBe(false);
    send('le":"public');
    expect(await settles(second)).toBe(false);
    send('.b"}\n');
    expect(await second).toEqual({ done: false, value: { table: "public.b" } });

    // Two lines in one chunk: both, in order, before the stream ends.
    send('{"table":"public.c"}\n{"table":"public.d"}\n');
    expect((await lines.next()).value).toEqual({ table: "public.c" });
    expect((await lines.next()).value).toEqual({ table: "public.d" });
    const last = lines.next();
    expect(await settles(last)).toBe(false);
    end();
    expect(await last).toEqual({ done: true, value: undefined });
  });

  it("keeps a character whose bytes are split across chunks, skips blank lines, and reads a last line without a newline", async () => {
    const { stream, send, end } = controlledStream();
    const bytes = new TextEncoder().encode('{"table":"public.café"}\n\n');
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
    send(bytes.slice(0, split));
    send(bytes.slice(split));
    send('{"table":"public.tail"}');
    end();
    const seen = [];
    for await (const line of ndjsonLines<{ table: string }>(stream)) seen.push(line.table);
    expect(seen).toEqual(["public.café", "public.tail"]);
  });

  it("releases the stream when the reader stops early", async () => {
    const { stream, send } = controlledStream();
    send('{"n":1}\n{"n":2}\n');
    for await (const line of ndjsonLines<{ n: number }>(stream)) {
      expect(line.n).toBe(1);
      break;
    }
    expect(stream.locked).toBe(false);
  });
});
