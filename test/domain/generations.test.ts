import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generations, type GenerationRecord } from '../../src/domain/generations.js';
import { createRandom } from '../../src/domain/random.js';

const record = (id: string, account_id = 'acct'): GenerationRecord => ({
  id,
  account_id,
  key_hash: 'h',
  created_at: '2026-01-15T12:00:00.000Z',
  model: 'openai/gpt-4o-mini',
  provider_name: 'OpenAI',
  tokens_prompt: 10,
  tokens_completion: 5,
  total_cost: 0.000004,
  is_byok: false,
  streamed: false,
  finish_reason: 'stop',
  cancelled: false,
  latency: 10,
  generation_time: 20,
  external_user: null,
});

describe('generations', () => {
  it('ids look like OpenRouter’s and repeat for the same seed', () => {
    const now = Date.parse('2026-01-15T12:00:00Z');
    const a = new Generations(createRandom(7));
    const b = new Generations(createRandom(7));
    const ids = [a.newId(now), a.newId(now)];
    expect(ids[0]).toMatch(/^gen-1768478400-[A-Za-z0-9]{20}$/);
    expect(ids[1]).not.toBe(ids[0]);
    expect([b.newId(now), b.newId(now)]).toEqual(ids);
  });

  it("are found by their account only: another account's id is as unknown as a made-up one", () => {
    const generations = new Generations(createRandom(1));
    generations.add(record('gen-1', 'a'));
    expect(generations.get('a', 'gen-1')?.model).toBe('openai/gpt-4o-mini');
    expect(generations.get('b', 'gen-1')).toBeUndefined();
    expect(generations.get('a', 'gen-2')).toBeUndefined();
  });

  it('keep the newest `capacity`, as a naive list of the last N would, through clears and reads at any point', () => {
    // A read brings the index up to date (src/domain/generations.ts): reads between the adds
    // check it at every stage, not only at the end.
    const expectModel = (generations: Generations, model: string[], gone: string[]) => {
      expect(generations.size).toBe(model.length);
      for (const id of model) expect(generations.get('acct', id)?.id).toBe(id);
      for (const id of gone) if (!model.includes(id)) expect(generations.get('acct', id)).toBeUndefined();
    };
    fc.assert(
      // n < 0: a clear; n > 30: a read of every id so far; else an add.
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(fc.integer({ min: -3, max: 36 }), { maxLength: 60 }), (capacity, ops) => {
        const generations = new Generations(createRandom(1), capacity);
        let model: string[] = [];
        const added: string[] = [];
        ops.forEach((n, i) => {
          if (n < 0) {
            generations.clear();
            model = [];
          } else if (n > 30) {
            expectModel(generations, model, added);
          } else {
            const id = `gen-${i}-${n}`;
            generations.add(record(id));
            added.push(id);
            model = capacity > 0 ? [...model, id].slice(-capacity) : [];
          }
        });
        expectModel(generations, model, added);
      }),
    );
  });

  it.each([
    ['read in between', true],
    ['never read until the end', false],
  ])('an id added twice names the newer record, and the older one leaving the ring does not take it away (%s)', (_, readBetween) => {
    const generations = new Generations(createRandom(1), 2);
    const first = record('gen-x');
    const again = { ...record('gen-x'), model: 'again' };
    generations.add(first);
    if (readBetween) expect(generations.get('acct', 'gen-x')).toBe(first);
    generations.add(again);
    generations.add(record('gen-y')); // the ring's oldest, `first`, goes
    expect(generations.get('acct', 'gen-x')?.model).toBe('again');
    generations.add(record('gen-z')); // now `again` goes
    expect(generations.get('acct', 'gen-x')).toBeUndefined();
    expect(generations.get('acct', 'gen-y')?.id).toBe('gen-y');
  });
});
