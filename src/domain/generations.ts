import type { RandomSource } from './random.js';

/**
 * The generations the inference surface answered, for `GET /api/v1/generation?id=`: what each cost
 * and counted, kept for the account it was charged to. Bounded: the oldest is forgotten past
 * `capacity`, found in a ring of the records in arrival order. (Not as the `Map`'s first key: V8
 * leaves a deleted entry as a hole until the table is rebuilt, so `keys().next()` after many
 * deletes from the front walks thousands of holes — ~8 µs an add at 10,000 kept.)
 *
 * The index by id is brought up to date when it is read, not on every add: a chat completion adds
 * a generation, and the `Map`'s set and delete at 10,000 ids were ~1.5 µs of it (cache misses in a
 * table that size; BENCHMARKS.md, "What the targets ask for"), while most generations are never
 * looked up. Each record enters the index at most once, so a read costs what was added since the
 * one before it — at most `capacity` sets, amortised one per add.
 */

/** One answered generation, as the mock keeps it (the wire view adds the fields it has no value for). */
export interface GenerationRecord {
  /** `gen-<unix seconds>-<20 letters and digits>`, as OpenRouter writes them. */
  id: string;
  account_id: string;
  /** The hash of the key it was charged to. */
  key_hash: string;
  created_at: string;
  model: string;
  provider_name: string;
  tokens_prompt: number;
  tokens_completion: number;
  /** USD charged (0 for a free model; the BYOK spend for a BYOK request). */
  total_cost: number;
  is_byok: boolean;
  streamed: boolean;
  /** `stop`, `length`, `error`; for a stream the client cut off, `cancelled` is true. */
  finish_reason: string;
  cancelled: boolean;
  /** Milliseconds to the first token and to the whole answer. */
  latency: number;
  generation_time: number;
  external_user: string | null;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ALPHANUMERIC_CODES = Array.from(ALPHANUMERIC, (c) => c.charCodeAt(0));

/** The default number of generations kept. */
export const GENERATIONS_KEPT = 10_000;

export class Generations {
  private readonly byId = new Map<string, GenerationRecord>();
  /** The records kept, oldest at `oldest`, `held` of them (a ring of `capacity` slots). */
  private readonly ring: (GenerationRecord | undefined)[];
  private oldest = 0;
  private held = 0;
  /** How many of the held records, oldest first, are in `byId` (the newer ones enter at the next `get`). */
  private indexed = 0;
  /** The character codes of an id's tail, reused from one id to the next. */
  private readonly tail: number[] = new Array<number>(20).fill(0);

  constructor(
    private readonly random: RandomSource,
    readonly capacity: number = GENERATIONS_KEPT,
  ) {
    this.ring = new Array<GenerationRecord | undefined>(Math.max(0, capacity)).fill(undefined);
  }

  /** The generations kept. */
  get size(): number {
    return this.held;
  }

  /** A fresh id for a generation answered at `now` (epoch ms): seeded, so a replayed run gets the same ids. */
  newId(now: number): string {
    // The same draws as a character at a time, written as codes into one flat string: twenty
    // one-character pieces made a chain the id's first hash (the generations' Map) had to flatten.
    const codes = this.tail;
    for (let i = 0; i < 20; i++) codes[i] = ALPHANUMERIC_CODES[Math.floor(this.random.next() * ALPHANUMERIC_CODES.length)]!;
    return `gen-${Math.floor(now / 1000)}-${String.fromCharCode.apply(null, codes)}`;
  }

  add(record: GenerationRecord): void {
    if (this.capacity <= 0) return;
    if (this.held === this.capacity) {
      const gone = this.ring[this.oldest]!;
      // The oldest is in the index if any record is. Taken out only if its id still names it (an
      // id seen twice is the newer record's).
      if (this.indexed > 0) {
        if (this.byId.get(gone.id) === gone) this.byId.delete(gone.id);
        this.indexed--;
      }
      this.ring[this.oldest] = undefined;
      this.oldest = (this.oldest + 1) % this.capacity;
      this.held--;
    }
    this.ring[(this.oldest + this.held) % this.capacity] = record;
    this.held++;
  }

  /** A generation of this account, or undefined — also for another account's, so nothing leaks. */
  get(accountId: string, id: string): GenerationRecord | undefined {
    // The records added since the last read enter the index, oldest first (a newer one with the
    // same id takes its place).
    for (; this.indexed < this.held; this.indexed++) {
      const record = this.ring[(this.oldest + this.indexed) % this.capacity]!;
      this.byId.set(record.id, record);
    }
    const record = this.byId.get(id);
    return record && record.account_id === accountId ? record : undefined;
  }

  /** Forgets every generation (a reset or a state import: the keys they were charged to may be gone). */
  clear(): void {
    this.byId.clear();
    this.ring.fill(undefined);
    this.oldest = 0;
    this.held = 0;
    this.indexed = 0;
  }
}
