/**
 * The fan-out behind `GET /__mock/events`: one serialisation per event and one byte buffer per
 * batch, whatever the number of streams; the cap; a lagging stream dropped. Fake sinks and fake
 * timers (the 25 ms batch), no sockets: test/routes/events.test.ts has those.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MockEvents, type MockEvent } from '../../src/domain/events.js';
import { EventFanOut, FLUSH_MS, MAX_BUFFERED_BYTES, sseMessage, type EventSink } from '../../src/http/event-stream.js';

class FakeSink implements EventSink {
  readonly chunks: Uint8Array[] = [];
  writableLength = 0;
  destroyed = false;
  write(chunk: Uint8Array) {
    this.chunks.push(chunk);
    return true;
  }
  destroy() {
    this.destroyed = true;
  }
}

const keysChange = (hash: string): MockEvent => ({ type: 'keys', change: 'updated', account_id: 'acct_1', hash });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EventFanOut', () => {
  it.each([1, 10, 100])('serialises each event of a batch once with %i streams open, and writes every stream the same bytes', (count) => {
    const events = new MockEvents();
    const serialise = vi.fn(sseMessage);
    const fanOut = new EventFanOut({ events, maxStreams: 100, serialise });
    const sinks = Array.from({ length: count }, () => new FakeSink());
    for (const sink of sinks) fanOut.open(sink);
    events.emit(keysChange('a'));
    events.emit(keysChange('b'));
    events.emit({ type: 'journal', change: 'cleared' });
    vi.advanceTimersByTime(FLUSH_MS);
    expect(serialise).toHaveBeenCalledTimes(3);
    const batch = sinks[0]!.chunks[0]!;
    expect(new TextDecoder().decode(batch)).toBe(sseMessage(keysChange('a')) + sseMessage(keysChange('b')) + 'event: journal\ndata: {"change":"cleared"}\n\n');
    for (const sink of sinks) expect(sink.chunks).toEqual([batch]);
    // One buffer, shared: not a copy per stream.
    for (const sink of sinks) expect(sink.chunks[0]).toBe(batch);
  });

  it('refuses a stream past the cap, and makes room when one closes', () => {
    const fanOut = new EventFanOut({ events: new MockEvents(), maxStreams: 2 });
    const close = fanOut.open(new FakeSink());
    fanOut.open(new FakeSink());
    expect(fanOut.full).toBe(true);
    expect(() => fanOut.open(new FakeSink())).toThrow(/already 2 streams open/);
    close();
    close(); // idempotent
    expect(fanOut.size).toBe(1);
    expect(fanOut.full).toBe(false);
  });

  it('drops a stream more than 4 MiB behind and keeps writing the others', () => {
    const events = new MockEvents();
    const fanOut = new EventFanOut({ events, maxStreams: 10 });
    const stuck = new FakeSink();
    const reading = new FakeSink();
    fanOut.open(stuck);
    fanOut.open(reading);
    stuck.writableLength = MAX_BUFFERED_BYTES + 1;
    events.emit(keysChange('a'));
    vi.advanceTimersByTime(FLUSH_MS);
    expect(stuck.destroyed).toBe(true);
    expect(stuck.chunks).toEqual([]);
    expect(reading.chunks).toHaveLength(1);
    expect(fanOut.size).toBe(1);
  });

  it('listens only while a stream is open', () => {
    const events = new MockEvents();
    const fanOut = new EventFanOut({ events, maxStreams: 10 });
    expect(events.listening('request')).toBe(false);
    const close = fanOut.open(new FakeSink());
    expect(events.listening('request')).toBe(true);
    close();
    expect(events.listening('request')).toBe(false);
  });
});
