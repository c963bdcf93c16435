import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE } from '../../src/data/models.js';
import { embeddedCatalogue } from '../../src/model-catalogue.js';
import { CatalogueError, ModelCatalogue } from '../../src/domain/models.js';
import { createCatalogue, parseCatalogue } from '../../src/model-catalogue.js';
import type { CatalogueEntry } from '../../src/schemas/models.js';

const entries = EMBEDDED_MODELS as CatalogueEntry[];
const entry = (id: string, prompt: string, completion: string, extra: object = {}): CatalogueEntry => ({
  ...structuredClone(entries[0]!),
  id,
  canonical_slug: id,
  pricing: { prompt, completion },
  ...extra,
});

const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
};

describe('ModelCatalogue', () => {
  const catalogue = embeddedCatalogue();

  it('lists the entries in order, as the wire has them: no mock field, frozen', () => {
    const list = catalogue.list();
    expect(list.map((m) => m.id)).toEqual(entries.map((e) => e.id));
    expect(catalogue.size).toBe(entries.length);
    const { mock: _mock, ...sonnet } = entries.find((e) => e.id === 'anthropic/claude-3.5-sonnet')!;
    expect(list.find((m) => m.id === 'anthropic/claude-3.5-sonnet')).toEqual(sonnet);
    expect(list.every((m) => !('mock' in m))).toBe(true);
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(list[0]!.pricing)).toBe(true);
    expect(() => ((list[0]!.pricing as { prompt: string }).prompt = '1')).toThrow(TypeError);
    expect(catalogue.list()).toBe(list);
  });

  it('the default model is the first entry: openai/gpt-4o-mini', () => {
    expect(catalogue.defaultModel.id).toBe('openai/gpt-4o-mini');
    expect(catalogue.defaultModel).toBe(catalogue.find('openai/gpt-4o-mini'));
  });

  it('finds by exact id; a :free suffix is its own entry', () => {
    const paid = catalogue.find('meta-llama/llama-3.3-70b-instruct')!;
    const free = catalogue.find('meta-llama/llama-3.3-70b-instruct:free')!;
    expect(paid).toBeDefined();
    expect(free).toBeDefined();
    expect(free).not.toBe(paid);
    expect(catalogue.isFree(free)).toBe(true);
    expect(catalogue.isFree(paid)).toBe(false);
    expect(catalogue.find('OpenAI/GPT-4o-mini')).toBeUndefined();
    expect(catalogue.find('openai/gpt-4o-mini:free')).toBeUndefined();
    expect(catalogue.find('gpt-4o-mini')).toBeUndefined();
    expect(catalogue.find('')).toBeUndefined();
  });

  it('a :free model costs nothing; the BYOK marker is read off the entry', () => {
    const free = catalogue.find('meta-llama/llama-3.3-70b-instruct:free')!;
    expect(catalogue.cost(free, 1_000_000, 1_000_000)).toBe(0);
    expect(catalogue.find('anthropic/claude-3.5-sonnet')!.byok).toBe(true);
    expect(catalogue.find('openai/gpt-4o-mini')!.byok).toBe(false);
  });

  it('cost = prompt tokens × prompt price + completion tokens × completion price, exact in decimal', () => {
    const mini = catalogue.find('openai/gpt-4o-mini')!; // 0.00000015 / 0.0000006
    expect(catalogue.cost(mini, 0, 0)).toBe(0);
    expect(catalogue.cost(mini, 1, 0)).toBe(0.00000015);
    expect(catalogue.cost(mini, 0, 34)).toBe(0.0000204); // 34 * 0.0000006 in floats is 0.000020399999999999998
    expect(34 * 0.0000006).not.toBe(0.0000204);
    expect(catalogue.cost(mini, 1_000_000, 1_000_000)).toBe(0.75);
    expect(catalogue.cost(mini, 12, 34)).toBe(0.0000222); // the float formula gives 0.000022199999999999998
    expect(12 * 0.00000015 + 34 * 0.0000006).not.toBe(0.0000222);
    const sonnet = catalogue.find('anthropic/claude-3.5-sonnet')!; // 0.000003 / 0.000015
    expect(catalogue.cost(sonnet, 3, 7)).toBe(0.000114);
  });

  it('cost refuses token counts that are not whole numbers ≥ 0', () => {
    const mini = catalogue.defaultModel;
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => catalogue.cost(mini, bad, 0)).toThrow(RangeError);
      expect(() => catalogue.cost(mini, 0, bad)).toThrow(/completionTokens must be a whole number/);
    }
  });

  it('cost is the exact decimal product, rounded once (property)', () => {
    const digits = fc.tuple(fc.nat({ max: 99_999 }), fc.integer({ min: 0, max: 12 }));
    const priceText = ([units, scale]: [number, number]) => {
      const s = String(units).padStart(scale + 1, '0');
      return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/^0+(?=\d)/, '');
    };
    fc.assert(
      fc.property(digits, digits, fc.nat({ max: 10_000_000 }), fc.nat({ max: 10_000_000 }), (p, c, pt, ct) => {
        const [prompt, completion] = [priceText(p), priceText(c)];
        const model = new ModelCatalogue([entry('x/y', prompt, completion)]).defaultModel;
        const cost = model.cost(pt, ct);
        // The exact value as a fraction over 10^24, compared with the double's neighbours.
        const exact = BigInt(pt) * BigInt(p[0]) * 10n ** BigInt(24 - p[1]) + BigInt(ct) * BigInt(c[0]) * 10n ** BigInt(24 - c[1]);
        expect(cost).toBe(Number(`${exact}e-24`));
        // and close to the float formula
        const float = pt * Number(prompt) + ct * Number(completion);
        expect(Math.abs(cost - float)).toBeLessThanOrEqual(Math.abs(float) * 1e-12 + 1e-300);
        expect(model.cost(pt, ct)).toBe(cost);
      }),
      { numRuns: 300 },
    );
  });

  it('the constructor refuses an empty list and a repeated id', () => {
    expect(() => new ModelCatalogue([])).toThrow(CatalogueError);
    expect(() => new ModelCatalogue([entry('a/b', '0', '0'), entry('a/b', '1', '1')])).toThrow('model "a/b" is listed twice');
  });

  it('a catalogue of its own: its first entry is the default', () => {
    const own = createCatalogue([entry('acme/small', '0.000001', '0.000002'), entry('acme/large', '0.00001', '0.00002')]);
    expect(own.defaultModel.id).toBe('acme/small');
    expect(own.cost(own.find('acme/large')!, 100, 10)).toBe(0.0012); // floats: 0.0012000000000000001
  });
});

describe('parseCatalogue: a user-provided catalogue, checked entry by entry', () => {
  it('the embedded catalogue (built unchecked, on first use) is one parseCatalogue takes, and the same bytes', () => {
    const checked = createCatalogue(EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE);
    expect(JSON.stringify(embeddedCatalogue().list())).toBe(JSON.stringify(checked.list()));
    expect(embeddedCatalogue().list().map((m) => embeddedCatalogue().find(m.id)!.byok)).toEqual(checked.list().map((m) => checked.find(m.id)!.byok));
  });

  it('takes an array of models, or a GET /api/v1/models answer', () => {
    expect(parseCatalogue(entries).map((e) => e.id)).toEqual(entries.map((e) => e.id));
    const answer = { data: embeddedCatalogue().list(), links: { next: null }, total_count: entries.length };
    expect(parseCatalogue(answer).map((e) => e.id)).toEqual(entries.map((e) => e.id));
  });

  it('passes fields it does not know through (a newer OpenRouter answer pasted in)', () => {
    const withExtra = { ...entry('a/b', '0.1', '0.2'), future_field: { x: 1 }, pricing: { prompt: '0.1', completion: '0.2', new_price: '3' } };
    const catalogue = createCatalogue([withExtra]);
    expect(catalogue.list()[0]).toMatchObject({ future_field: { x: 1 }, pricing: { new_price: '3' } });
  });

  const base = entries[0]!;
  const bad = (change: (e: Record<string, unknown>) => void): unknown[] => {
    const copy = structuredClone(base) as unknown as Record<string, unknown>;
    change(copy);
    return [structuredClone(entries[1]), copy];
  };
  const pricing = (e: Record<string, unknown>) => e.pricing as Record<string, unknown>;

  it.each<[string, unknown, string]>([
    ['not an array', { models: [] }, 'models.json: must be a JSON array of models, or a GET /api/v1/models answer ({"data": [ … ]})'],
    ['a string', 'openai/gpt-4o', 'models.json: must be a JSON array of models'],
    ['empty', [], 'models.json: must hold at least one model (the first is the default model)'],
    ['an entry that is no object', [entries[0], 42], 'models.json: entry 1: must be a JSON object'],
    ['a missing id', bad((e) => delete e.id), 'models.json: entry 1: field "id": is required'],
    ['an id with a space', bad((e) => (e.id = 'openai/gpt 4o')), 'models.json: entry 1 ("openai/gpt 4o"): field "id": must be a non-empty string without whitespace'],
    ['a missing price', bad((e) => delete pricing(e).completion), 'models.json: entry 1 ("openai/gpt-4o-mini"): field "pricing.completion": is required'],
    ['a price as a number', bad((e) => (pricing(e).prompt = 0.00000015)), 'entry 1 ("openai/gpt-4o-mini"): field "pricing.prompt": must be a string'],
    ['a negative price', bad((e) => (pricing(e).prompt = '-1')), 'field "pricing.prompt": must be a price in USD as a decimal string such as "0.00000015"'],
    ['an exponent', bad((e) => (pricing(e).completion = '6e-7')), 'field "pricing.completion": must be a price in USD as a decimal string'],
    ['a bad optional price', bad((e) => (pricing(e).request = 'free')), 'field "pricing.request": must be a price in USD'],
    ['a context length that is not an integer', bad((e) => (e.context_length = 1.5)), 'field "context_length": must be an integer or null'],
    ['a missing architecture field', bad((e) => delete (e.architecture as Record<string, unknown>).input_modalities), 'field "architecture.input_modalities": is required'],
    ['a modality that is no string', bad((e) => ((e.architecture as Record<string, unknown>).input_modalities = ['text', 1])), 'field "architecture.input_modalities[1]": must be a string'],
    ['is_moderated missing', bad((e) => delete (e.top_provider as Record<string, unknown>).is_moderated), 'field "top_provider.is_moderated": is required'],
    ['a bad date', bad((e) => (e.knowledge_cutoff = 'Oct 2023')), 'field "knowledge_cutoff": must be a YYYY-MM-DD date, or null'],
    ['a mistyped mock field', bad((e) => (e.mock = { byk: true })), 'field "mock.byk": is not a known field (known: byok)'],
    ['byok that is no boolean', bad((e) => (e.mock = { byok: 'yes' })), 'field "mock.byok": must be a boolean (true or false)'],
    ['a repeated id', [entries[0], entries[1], entries[0]], 'models.json: entry 2 ("openai/gpt-4o-mini"): field "id": duplicates entry 0'],
    ['a :free model with a price', bad((e) => (e.id = 'openai/gpt-4o-mini:free')), 'models.json: entry 1 ("openai/gpt-4o-mini:free"): field "pricing.prompt": must be "0": a :free model costs nothing (got "0.00000015")'],
  ])('%s', (_what, input, message) => {
    const err = thrown(() => parseCatalogue(input, 'models.json'));
    expect(err).toBeInstanceOf(CatalogueError);
    expect(err.message).toContain(message);
  });

  it('a :free model priced "0.0" is free', () => {
    expect(createCatalogue([entry('a/b:free', '0.0', '0.000')]).defaultModel.free).toBe(true);
  });

  it('a long id is clipped in the message', () => {
    const err = thrown(() => parseCatalogue([{ id: 'x'.repeat(500) }]));
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).toContain('…');
  });

  it('any JSON either parses into a working catalogue or fails with a CatalogueError, never otherwise (property)', () => {
    const anyEntry = fc.oneof(fc.constantFrom(...entries), fc.jsonValue({ maxDepth: 3 }), fc.record({ id: fc.string(), pricing: fc.jsonValue() }));
    fc.assert(
      fc.property(fc.oneof(fc.array(anyEntry, { maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), fc.record({ data: fc.array(anyEntry, { maxLength: 3 }) })), (input) => {
        try {
          const catalogue = createCatalogue(input, 'file');
          expect(catalogue.size).toBeGreaterThan(0);
          for (const model of catalogue.list()) expect(catalogue.cost(catalogue.find(model.id)!, 10, 10)).toBeGreaterThanOrEqual(0);
        } catch (err) {
          expect(err).toBeInstanceOf(CatalogueError);
          expect((err as Error).message).toMatch(/^file: /);
        }
      }),
      { numRuns: 300 },
    );
  });
});
