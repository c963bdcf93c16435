/** Reads a Server-Sent Events body as whole events (`{ type, data }`), in order, as a browser's fetch reads a stream. */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<{ type: string; data: unknown }> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type !== undefined && data !== undefined) return { type, data: JSON.parse(data) };
        continue; // a comment (heartbeat) or the retry line alone
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  };
  /** The next event of this type (events of other types in between are skipped). */
  const nextOf = async (type: string) => {
    for (;;) {
      const event = await next();
      if (event.type === type) return event.data;
    }
  };
  return { next, nextOf, read: () => reader.read() };
}
