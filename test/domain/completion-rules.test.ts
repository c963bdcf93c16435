import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/domain/errors.js';
import { CompletionRules, MAX_COMPLETION_RULES, type CompletionMatch } from '../../src/domain/completion-rules.js';

const request = { model: 'openai/gpt-4o-mini', keyHash: 'k1', accountId: 'a1' };

describe('completion rules', () => {
  it('the newest rule that meets a request answers it; `times` runs out and the rule is gone', () => {
    const changes: string[] = [];
    const rules = new CompletionRules((change, id) => changes.push(`${change} ${id}`));
    const old = rules.add({ content: 'old' });
    const once = rules.add({ match: { model: 'openai/gpt-4o-mini' }, content: 'once', times: 1 });
    expect(rules.take(request)).toMatchObject({ id: once.id, content: 'once', remaining: 0, hits: 1 });
    expect(rules.take(request)).toMatchObject({ id: old.id, content: 'old', remaining: null, hits: 1 });
    expect(rules.list().map((rule) => rule.id)).toEqual([old.id]);
    expect(changes).toEqual([`added ${old.id}`, `added ${once.id}`, `used ${once.id}`, `removed ${once.id}`, `used ${old.id}`]);
  });

  it('meets by model, key and account together', () => {
    const rules = new CompletionRules();
    rules.add({ match: { model: 'other/model' }, content: 'no' });
    rules.add({ match: { key: 'k2' }, content: 'no' });
    rules.add({ match: { account: 'a1', key: 'k1' }, content: 'yes' });
    expect(rules.take(request)?.content).toBe('yes');
    expect(rules.take({ ...request, accountId: 'a2' })).toBeUndefined();
  });

  it('an error needs the chunks before it; more than the cap is a 400; nothing is changed by a refusal', () => {
    const rules = new CompletionRules();
    expect(() => rules.add({ error: { code: 502, message: 'x' } })).toThrow(ApiError);
    expect(rules.size).toBe(0);
    for (let i = 0; i < MAX_COMPLETION_RULES; i++) rules.add({});
    expect(() => rules.add({})).toThrow(/at most 1000 completion rules/);
    expect(rules.size).toBe(MAX_COMPLETION_RULES);
  });

  it('a copy is what the caller gets: changing it changes no rule', () => {
    const rules = new CompletionRules();
    const added = rules.add({ match: { model: 'm' }, error_after_chunks: 2, error: { code: 500, message: 'boom' } });
    added.match.model = 'changed';
    added.error!.message = 'changed';
    expect(rules.list()[0]).toMatchObject({ match: { model: 'm' }, error: { message: 'boom' } });
  });

  it('answers as a naive scan of the rules, newest first, would', () => {
    const match = fc.record({ model: fc.constantFrom('m1', 'm2'), key: fc.constantFrom('k1', 'k2'), account: fc.constantFrom('a1', 'a2') }, { requiredKeys: [] });
    fc.assert(
      fc.property(
        fc.array(fc.record({ match, times: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }), { maxLength: 8 }),
        fc.array(fc.record({ model: fc.constantFrom('m1', 'm2'), keyHash: fc.constantFrom('k1', 'k2'), accountId: fc.constantFrom('a1', 'a2') }), { maxLength: 20 }),
        (specs, requests) => {
          const rules = new CompletionRules();
          const model: { id: string; match: CompletionMatch; left: number | null }[] = [];
          for (const spec of specs) model.unshift({ id: rules.add(spec).id, match: spec.match, left: spec.times ?? null });
          for (const r of requests) {
            const expected = model.find(
              ({ match: m }) => (!m.model || m.model === r.model) && (!m.key || m.key === r.keyHash) && (!m.account || m.account === r.accountId),
            );
            expect(rules.take(r)?.id).toBe(expected?.id);
            if (expected && expected.left !== null && --expected.left === 0) model.splice(model.indexOf(expected), 1);
          }
          expect(rules.list().map((rule) => rule.id)).toEqual(model.map((rule) => rule.id));
        },
      ),
    );
  });
});
