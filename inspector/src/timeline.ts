import { useEffect, useState } from 'preact/hooks';

/**
 * Moments the journal's timeline shows between requests: the clock moved, state reset or
 * imported, a scenario loaded, the journal cleared. Read off the event stream the page already
 * follows (`clock`, `accounts`, `journal`) and kept in the page only: the server's journal holds
 * API requests and nothing else.
 */
export interface Mark {
  /** Unique in the page. */
  seq: number;
  /** The newest journal entry's id when it happened: the mark sits above that entry. */
  afterId: number;
  kind: 'clock' | 'loaded' | 'replaced' | 'cleared';
  text: string;
  /** Wall-clock time it arrived. */
  wall: string;
  /** The virtual clock's reading, for a clock mark. */
  virtual?: string;
}

const KEPT = 100;
let marks: Mark[] = [];
let seq = 0;
let newestId = 0;
const listeners = new Set<(marks: Mark[]) => void>();

function add(kind: Mark['kind'], text: string, virtual?: string): void {
  const mark: Mark = { seq: ++seq, afterId: newestId, kind, text, wall: new Date().toISOString(), ...(virtual ? { virtual } : {}) };
  marks = [mark, ...marks].slice(0, KEPT);
  for (const listener of listeners) listener(marks);
}

/** Told of every event the page receives (app.tsx); keeps the ones the timeline shows. */
export function noteEvent(type: string, data: unknown): void {
  const d = data as { id?: number; change?: string; now?: string; frozen?: boolean; account_id?: string | null };
  if (type === 'request' && typeof d.id === 'number') newestId = Math.max(newestId, d.id);
  else if (type === 'clock' && d.now) add('clock', `Clock set to ${d.now.slice(0, 10)} ${d.now.slice(11, 19)} UTC${d.frozen ? ' (frozen)' : ''}`, d.now);
  else if (type === 'accounts' && d.change === 'loaded') add('loaded', 'State reset or imported');
  else if (type === 'accounts' && d.change === 'replaced') add('replaced', `Scenario loaded into ${d.account_id ?? 'an account'}`);
  else if (type === 'journal' && d.change === 'cleared') add('cleared', 'Journal cleared');
}

/** Entries loaded by a read (not an event) move the marks' anchor on too. */
export function noteNewestId(id: number): void {
  newestId = Math.max(newestId, id);
}

export function useMarks(): Mark[] {
  const [shown, setShown] = useState(marks);
  useEffect(() => {
    listeners.add(setShown);
    return () => void listeners.delete(setShown);
  }, []);
  return shown;
}
