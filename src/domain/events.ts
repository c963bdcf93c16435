import type { JournalEntry } from './journal-entry.js';

/**
 * One change-event mechanism for everything a mock holds: the key store, the journal, the fault
 * rules and the clock say what changed, and whoever listens — the `--state-file` saver, the
 * inspector's event stream (`GET /__mock/events`), `waitForRequest` — hears it. Nothing is built
 * when nobody listens: emitters check `listening(type)` first, so the request path pays one
 * lookup.
 */

export type KeyChange = 'created' | 'updated' | 'deleted' | 'usage' | 'windows';
export type AccountChange = 'added' | 'removed' | 'replaced' | 'loaded' | 'credits';
export type FaultChange = 'added' | 'edited' | 'removed' | 'cleared' | 'used';

export type MockEvent =
  /** An API request was journalled (the entry as `GET /__mock/requests` shows it). */
  | { type: 'request'; entry: JournalEntry }
  /** The journal was emptied (reset, `DELETE /__mock/requests`). */
  | { type: 'journal'; change: 'cleared' }
  /** Keys changed: one (`hash`) or, for `windows` (usage windows rolled over), all. */
  | { type: 'keys'; change: KeyChange; account_id: string | null; hash: string | null }
  /** Accounts changed: one (`account_id`), or the whole state (`loaded`: reset, import). */
  | { type: 'accounts'; change: AccountChange; account_id: string | null }
  /** The clock was set, moved or frozen (it also runs on in real time, which is no event). */
  | { type: 'clock'; now: string; frozen: boolean }
  /** Fault rules changed (`used`: a rule met a request and counted it). */
  | { type: 'faults'; change: FaultChange; id: string | null };

export type MockEventType = MockEvent['type'];
export type MockEventListener = (event: MockEvent) => void;

export const MOCK_EVENT_TYPES: readonly MockEventType[] = ['request', 'journal', 'keys', 'accounts', 'clock', 'faults'];

export class MockEvents {
  /** Listeners by the event type they want: a state-file saver that wants `keys` and `accounts` does not make the journal build entries. */
  private readonly byType = new Map<MockEventType, readonly MockEventListener[]>(MOCK_EVENT_TYPES.map((type) => [type, []]));
  /** Who wants to know when a type gains its first listener or loses its last (the window rollover timer). */
  private readonly watchers = new Map<MockEventType, readonly ((listening: boolean) => void)[]>(MOCK_EVENT_TYPES.map((type) => [type, []]));

  /** Whether anyone listens for this type of event. */
  listening(type: MockEventType): boolean {
    return this.byType.get(type)!.length !== 0;
  }

  /** Listens for these types of event (default: all) until the returned function is called. */
  on(listener: MockEventListener, types: readonly MockEventType[] = MOCK_EVENT_TYPES): () => void {
    for (const type of types) {
      const before = this.byType.get(type)!;
      this.byType.set(type, [...before, listener]);
      if (before.length === 0) this.tell(type, true);
    }
    return () => {
      for (const type of types) {
        const before = this.byType.get(type)!;
        const after = before.filter((l) => l !== listener);
        this.byType.set(type, after);
        if (before.length !== 0 && after.length === 0) this.tell(type, false);
      }
    };
  }

  /**
   * Calls `watcher(true)` when `type` gains its first listener and `watcher(false)` when it loses
   * its last (and at once with `true` if someone listens already), until the returned function is
   * called: work that only matters to listeners (a timer) runs only while there are some.
   */
  watch(type: MockEventType, watcher: (listening: boolean) => void): () => void {
    this.watchers.set(type, [...this.watchers.get(type)!, watcher]);
    if (this.listening(type)) watcher(true);
    return () => this.watchers.set(type, this.watchers.get(type)!.filter((w) => w !== watcher));
  }

  private tell(type: MockEventType, listening: boolean): void {
    for (const watcher of this.watchers.get(type)!) watcher(listening);
  }

  /**
   * Tells every listener of its type. A listener that throws does not stop the others, nor the
   * change that was made: its failure is its own.
   */
  emit(event: MockEvent): void {
    for (const listener of this.byType.get(event.type)!) {
      try {
        listener(event);
      } catch {
        // See above: a listener's failure must not fail the request that changed the state.
      }
    }
  }
}
