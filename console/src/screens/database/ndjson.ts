// Newline-delimited JSON read as it arrives: each complete line is handed over at once,
// so a long report shows progress instead of appearing at the end.
export async function* ndjsonLines<T>(stream: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) yield JSON.parse(line) as T;
      }
    }
    pending += decoder.decode();
    if (pending.trim()) yield JSON.parse(pending) as T;
  } finally {
    reader.releaseLock();
  }
}
