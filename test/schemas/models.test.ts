import {
  InputModality,
  InstructType,
  Model$inboundSchema,
  ModelGroup,
  ModelsListResponse$inboundSchema,
  OutputModality,
  Parameter,
} from '@openrouter/sdk/models';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_MODELS } from '../../src/data/models.js';
import { embeddedCatalogue } from '../../src/model-catalogue.js';
import { CatalogueEntrySchema, ModelListSchema, ModelSchema, strictSchema, type Model, type ModelList } from '../../src/schemas/models.js';

/**
 * The embedded catalogue against the wire schema (src/schemas/models.ts), held strict (no field
 * the schema does not name), and against the official SDK's own inbound schemas: the SDK is the
 * contract, so every model it would refuse to parse is a bug here.
 */

const ajv = new Ajv({ strict: true, allErrors: true });
const checkEntry = ajv.compile(strictSchema(CatalogueEntrySchema));
const checkModel = ajv.compile(strictSchema(ModelSchema));
// Its Ref to "Model" resolves to the strict copy compiled above (same $id).
const checkList = ajv.compile(ModelListSchema);

/** As the wire lists them: the schema's full shape (the domain reads only id and pricing). */
const wire = embeddedCatalogue().list() as readonly Model[];
const answer: ModelList = { data: [...wire] as Model[], links: { next: null }, total_count: wire.length };
const ids = wire.map((m) => m.id);

describe('the embedded catalogue (src/data/models.json)', () => {
  it('holds 6 to 10 models of 3 to 4 providers, a :free variant at price 0 and one BYOK model', () => {
    expect(wire.length).toBeGreaterThanOrEqual(6);
    expect(wire.length).toBeLessThanOrEqual(10);
    const providers = new Set(ids.map((id) => id.split('/')[0]));
    expect(providers.size).toBeGreaterThanOrEqual(3);
    expect(providers.size).toBeLessThanOrEqual(4);
    expect(ids).toEqual(
      expect.arrayContaining([
        'openai/gpt-4o-mini',
        'anthropic/claude-3.5-haiku',
        'google/gemini-2.0-flash-001',
        'meta-llama/llama-3.3-70b-instruct',
        'meta-llama/llama-3.3-70b-instruct:free',
      ]),
    );
    const free = wire.find((m) => m.id === 'meta-llama/llama-3.3-70b-instruct:free')!;
    expect([free.pricing.prompt, free.pricing.completion]).toEqual(['0', '0']);
    expect(free.canonical_slug).toBe('meta-llama/llama-3.3-70b-instruct');
    expect(ids.filter((id) => embeddedCatalogue().find(id)!.byok)).toEqual(['anthropic/claude-3.5-sonnet']);
  });

  it.each(EMBEDDED_MODELS.map((entry, i) => [i, (entry as { id: string }).id, entry] as const))(
    'entry %i (%s) is a valid catalogue entry, every field known to the schema',
    (_i, _id, entry) => {
      expect(checkEntry(entry), JSON.stringify(checkEntry.errors)).toBe(true);
    },
  );

  it.each(wire.map((m) => [m.id, m] as const))('%s on the wire: the schema, strictly, and no mock field', (_id, model) => {
    expect(checkModel(model), JSON.stringify(checkModel.errors)).toBe(true);
    expect(model).not.toHaveProperty('mock');
  });

  it('the list answer fits ModelListSchema', () => {
    expect(checkList(answer), JSON.stringify(checkList.errors)).toBe(true);
  });
});

describe('the official SDK parses every model (Model$inboundSchema) and the list answer', () => {
  it.each(wire.map((m) => [m.id, m] as const))('%s', (_id, model) => {
    const parsed = Model$inboundSchema.parse(model);
    expect(parsed.id).toBe(model.id);
    expect(parsed.canonicalSlug).toBe(model.canonical_slug);
    expect(parsed.pricing.prompt).toBe(model.pricing.prompt);
    expect(parsed.pricing.completion).toBe(model.pricing.completion);
    expect(parsed.topProvider.isModerated).toBe(model.top_provider.is_moderated);
    expect(parsed.contextLength).toBe(model.context_length);
  });

  it('ModelsListResponse$inboundSchema: data, links.next, total_count', () => {
    const parsed = ModelsListResponse$inboundSchema.parse(answer);
    expect(parsed.data.map((m) => m.id)).toEqual(ids);
    expect(parsed.totalCount).toBe(ids.length);
    expect(parsed.links.next).toBeNull();
  });

  it('uses only the values the SDK names in its open enums (modalities, parameters, tokenizers, instruct types)', () => {
    const known = (values: object) => new Set(Object.values(values) as string[]);
    const [inputs, outputs, parameters, tokenizers, instructs] = [InputModality, OutputModality, Parameter, ModelGroup, InstructType].map(known);
    for (const model of wire) {
      for (const m of model.architecture.input_modalities) expect(inputs!.has(m), `${model.id}: input ${m}`).toBe(true);
      for (const m of model.architecture.output_modalities) expect(outputs!.has(m), `${model.id}: output ${m}`).toBe(true);
      for (const p of model.supported_parameters) expect(parameters!.has(p), `${model.id}: parameter ${p}`).toBe(true);
      expect(tokenizers!.has(model.architecture.tokenizer!), `${model.id}: tokenizer`).toBe(true);
      if (model.architecture.instruct_type) expect(instructs!.has(model.architecture.instruct_type), `${model.id}: instruct type`).toBe(true);
    }
  });

  it('every field the SDK requires, the schema requires too (a model without it is refused by both)', () => {
    const model = wire[0]!;
    for (const field of Object.keys(model)) {
      const { [field]: _dropped, ...without } = model as Record<string, unknown>;
      const sdkRefuses = !Model$inboundSchema.safeParse(without).success;
      if (sdkRefuses) expect(checkModel(without), `${field}: the SDK requires it`).toBe(false);
    }
    for (const field of Object.keys(model.pricing)) {
      const { [field]: _dropped, ...pricing } = model.pricing as Record<string, unknown>;
      const without = { ...model, pricing };
      if (!Model$inboundSchema.safeParse(without).success) expect(checkModel(without), `pricing.${field}`).toBe(false);
    }
  });

  it('a price the SDK would take as a number is refused by the schema: prices are strings', () => {
    const model = { ...wire[0]!, pricing: { ...wire[0]!.pricing, prompt: 0.00000015 } };
    expect(Model$inboundSchema.safeParse(model).success).toBe(false);
    expect(checkModel(model)).toBe(false);
  });
});

describe('fields the schema does not name are passed through', () => {
  it('by a serializer compiled from ModelListSchema, as by the catalogue (a pasted answer keeps newer fields)', () => {
    const build = SerializerSelector()({ Model: ModelSchema }, {});
    const serialize = build({ schema: ModelListSchema, method: 'GET', url: '/api/v1/models', httpStatus: '200' });
    const model = { ...wire[0]!, future_field: { x: 1 }, pricing: { ...wire[0]!.pricing, new_price: '0.5' } };
    const list = { data: [model], links: { next: null }, total_count: 1 };
    expect(JSON.parse(serialize(list))).toEqual(list);
    expect(checkModel(model)).toBe(false); // the embedded catalogue is held to the named fields
  });
});
