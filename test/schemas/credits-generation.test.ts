import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { OpenRouter } from '@openrouter/sdk';
import { GenerationResponse$inboundSchema } from '@openrouter/sdk/models';
import { GetCreditsResponse$inboundSchema } from '@openrouter/sdk/models/operations';
import type { TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatCompletionChunkSchema, ChatCompletionErrorChunkSchema, ChatCompletionResponseSchema } from '../../src/schemas/chat.js';
import { CreditsResponseSchema } from '../../src/schemas/credits.js';
import { GenerationQuerySchema, GenerationResponseSchema, GenerationSchema } from '../../src/schemas/generation.js';
import { createValidators } from '../../src/schemas/validators.js';
import { chunks, completion, credits, errorChunk, GEN_ID, generation, schemaErrors, startWire, type Wire } from './wire.js';

/**
 * GET /api/v1/credits and GET /api/v1/generation: samples that satisfy the TypeBox schemas parse in
 * the SDK's inbound models and come back whole through credits.getCredits and
 * generations.getGeneration; and every response schema of the inference surface loses nothing when
 * Fastify's serializer (fast-json-stringify) writes a sample.
 */

let wire: Wire;
beforeAll(async () => {
  wire = await startWire();
});
afterAll(() => wire.close());

const client = () => new OpenRouter({ apiKey: 'sk-or-v1-' + '0'.repeat(64), serverURL: wire.url, retryConfig: { strategy: 'none' } });

describe('GET /api/v1/credits', () => {
  it('the sample satisfies the schema and parses in the SDK (GetCreditsResponse)', () => {
    expect(schemaErrors(CreditsResponseSchema, credits)).toBeNull();
    expect(GetCreditsResponse$inboundSchema.parse(credits)).toEqual({ data: { totalCredits: 100, totalUsage: 12.5 } });
  });

  it('credits.getCredits reads it', async () => {
    const { data } = await client().credits.getCredits();
    expect(data).toEqual({ totalCredits: 100, totalUsage: 12.5 });
  });
});

describe('GET /api/v1/generation', () => {
  it('the sample satisfies the schema and parses in the SDK (GenerationResponse), every required field present', () => {
    expect(schemaErrors(GenerationResponseSchema, generation)).toBeNull();
    const { data } = GenerationResponse$inboundSchema.parse(generation);
    expect(data).toMatchObject({ id: GEN_ID, totalCost: generation.data.total_cost, tokensPrompt: 12, tokensCompletion: 5, isByok: false, dataRegion: 'global' });
  });

  it('leaving out any field the schema requires is refused by the SDK too (the schema is not stricter than it needs)', () => {
    const required = (GenerationSchema as unknown as { required: string[] }).required;
    expect(required.length).toBe(Object.keys(generation.data).length);
    const missed = required.filter((field) => {
      const { [field]: _, ...rest } = generation.data as Record<string, unknown>;
      return GenerationResponse$inboundSchema.safeParse({ data: rest }).success;
    });
    expect(missed).toEqual([]);
  });

  it('generations.getGeneration reads it, sending the id as ?id=', async () => {
    const { data } = await client().generations.getGeneration({ id: GEN_ID });
    expect(data).toMatchObject({ id: GEN_ID, model: generation.data.model, streamed: false, cancelled: false, finishReason: 'stop' });
    expect(wire.requests.at(-1)?.url).toBe(`/api/v1/generation?id=${GEN_ID}`);
  });

  it('the query schema takes the id and refuses its absence', () => {
    const validate = createValidators().text.compile(GenerationQuerySchema);
    expect(validate({ id: GEN_ID })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ id: '' })).toBe(false);
  });
});

describe("Fastify's serializer (fast-json-stringify) over the response schemas", () => {
  const serializer = (schema: TSchema) => SerializerSelector()({}, {})({ schema, method: 'GET', url: '/', httpStatus: '200' }) as (data: unknown) => string;
  const cases: [string, TSchema, unknown][] = [
    ['chat completion', ChatCompletionResponseSchema, completion],
    ['first chunk', ChatCompletionChunkSchema, chunks[0]],
    ['last chunk (usage)', ChatCompletionChunkSchema, chunks.at(-1)],
    ['error chunk', ChatCompletionErrorChunkSchema, errorChunk],
    ['credits', CreditsResponseSchema, credits],
    ['generation', GenerationResponseSchema, generation],
  ];
  it.each(cases)('writes the %s sample whole', (_, schema, sample) => {
    expect(JSON.parse(serializer(schema)(sample))).toEqual(sample);
  });
});
