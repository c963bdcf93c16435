import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { OpenRouter } from '@openrouter/sdk';
import { generateText, streamText } from 'ai';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatCompletionRequestSchema, MESSAGE_ROLES } from '../../src/schemas/chat.js';
import { validationError } from '../../src/schemas/validation-message.js';
import { createValidators } from '../../src/schemas/validators.js';
import { MODEL, startWire, type Wire } from './wire.js';

/**
 * The request body schema of POST /api/v1/chat/completions: it takes what the official clients
 * send for typical calls (captured from a tiny server), and refuses the shapes a handler could not
 * answer (messages not an array, an unknown role, a token count that is not an integer ≥ 1), with
 * the project's Ajv (no coercion) and its wording of the first error.
 */

const { body: ajv } = createValidators();
const validate = ajv.compile(ChatCompletionRequestSchema);
const accepts = (body: unknown) => validate(body);
/** The 400 message the route would answer with. */
const refusal = (body: unknown) => (validate(body) ? null : validationError(validate.errors ?? [], 'body').message);

let wire: Wire;
beforeAll(async () => {
  wire = await startWire();
});
afterAll(() => wire.close());
beforeEach(() => {
  wire.requests.length = 0;
});

const API_KEY = 'sk-or-v1-feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface';
const lastBody = () => wire.requests.at(-1)?.body;

describe('what the clients send', () => {
  it("the SDK's chat.send, plain and streaming, with parts, a tool round trip and sampling options", async () => {
    const client = new OpenRouter({ apiKey: API_KEY, serverURL: wire.url, retryConfig: { strategy: 'none' } });
    await client.chat.send({
      chatRequest: {
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Really brief.' }] },
          { role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', imageUrl: { url: 'https://example.com/a.png' } }] },
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }] },
          { role: 'tool', toolCallId: 'call_1', content: 'a cat' },
          { role: 'user', content: 'And?', name: 'ann' },
        ],
        maxTokens: 100,
        maxCompletionTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        seed: 7,
        stop: ['\n'],
      },
    });
    const plain = lastBody() as Record<string, unknown>;
    expect(plain).toMatchObject({ model: MODEL, max_tokens: 100, stream: false });
    expect(refusal(plain)).toBeNull();

    const stream = await client.chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, streamOptions: { includeUsage: true } } });
    if ('choices' in stream) throw new Error('expected a stream');
    for await (const _ of stream);
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(refusal(lastBody())).toBeNull();
  });

  it('openai: chat.completions.create, plain and streaming', async () => {
    const client = new OpenAI({ baseURL: wire.url, apiKey: API_KEY, maxRetries: 0 });
    await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
      max_completion_tokens: 50,
      temperature: null,
      user: 'u-1',
    });
    expect(refusal(lastBody())).toBeNull();
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream);
    expect(lastBody()).toMatchObject({ stream: true });
    expect(refusal(lastBody())).toBeNull();
  });

  it('@openrouter/ai-sdk-provider: generateText and streamText, with usage accounting on', async () => {
    const model = createOpenRouter({ baseURL: wire.url, apiKey: API_KEY }).chat(MODEL, { usage: { include: true } });
    await generateText({ model, system: 'Be brief.', prompt: 'hi', maxOutputTokens: 64, temperature: 0, maxRetries: 0 });
    expect(lastBody()).toMatchObject({ max_tokens: 64, usage: { include: true } });
    expect(refusal(lastBody())).toBeNull();
    const result = streamText({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], maxRetries: 0 });
    await result.consumeStream();
    expect(lastBody()).toMatchObject({ stream: true });
    expect(refusal(lastBody())).toBeNull();
  });
});

const role = fc.constantFrom(...MESSAGE_ROLES);
const text = fc.string({ maxLength: 20 });
const part = fc.oneof(
  text.map((t) => ({ type: 'text', text: t })),
  fc.webUrl().map((url) => ({ type: 'image_url', image_url: { url } })),
);
const content = fc.oneof(text, fc.array(part, { maxLength: 3 }));
const message = fc.record({ role, content }, { requiredKeys: ['role', 'content'] });
const validBody = fc.record(
  {
    messages: fc.array(message, { minLength: 1, maxLength: 4 }),
    model: fc.constantFrom(MODEL, 'openrouter/auto', 'meta-llama/llama-3.1-8b-instruct:free'),
    stream: fc.option(fc.boolean()),
    max_tokens: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
    max_completion_tokens: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true })),
    usage: fc.record({ include: fc.boolean() }),
    // Unknown fields are ignored, as by the real API.
    provider: fc.record({ sort: fc.constantFrom('price', 'latency') }),
    transforms: fc.array(fc.string(), { maxLength: 2 }),
  },
  { requiredKeys: ['messages'] },
);

describe('the schema', () => {
  it('accepts any well-formed body, unknown fields included', () => {
    fc.assert(fc.property(validBody, (body) => refusal(body) === null));
  });

  it('leaves a missing messages to the handler (the API\'s own 400: Input required: specify "prompt" or "messages")', () => {
    expect(accepts({ model: MODEL })).toBe(true);
    expect(accepts({})).toBe(true);
  });

  it('refuses a body that is not an object', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer())), (body) => !accepts(body)));
    expect(refusal('hello')).toBe('Invalid request body: the body must be a JSON object');
  });

  it('refuses messages that are not an array', () => {
    const notArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string()));
    fc.assert(fc.property(notArray, validBody, (messages, body) => !accepts({ ...body, messages })));
    expect(refusal({ messages: 'hi' })).toBe('Invalid request body: field "messages" must be an array');
  });

  it('refuses an unknown role, or a message without one', () => {
    const unknownRole = fc.oneof(fc.string().filter((r) => !(MESSAGE_ROLES as readonly string[]).includes(r)), fc.integer(), fc.constant(null));
    fc.assert(fc.property(unknownRole, validBody, (r, body) => !accepts({ ...body, messages: [{ role: r, content: 'hi' }] })));
    expect(refusal({ messages: [{ role: 'User', content: 'hi' }] })).toBe(
      'Invalid request body: field "messages.0.role" must be one of "system", "user", "assistant", "tool" or "developer" (case-sensitive)',
    );
    expect(refusal({ messages: [{ content: 'hi' }] })).toBe('Invalid request body: field "messages.0.role" is required');
  });

  it('refuses max_tokens and max_completion_tokens that are not integers ≥ 1', () => {
    const badCount = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
      fc.string(),
      fc.boolean(),
    );
    const field = fc.constantFrom('max_tokens', 'max_completion_tokens');
    fc.assert(fc.property(badCount, field, validBody, (count, name, body) => !accepts({ ...body, [name]: count })));
    expect(refusal({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 0 })).toBe('Invalid request body: field "max_tokens" must be ≥ 1');
    expect(refusal({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 1.5 })).toBe('Invalid request body: field "max_tokens" must be an integer or null');
    // null is "not given" (the SDK and openai both type it nullable):
    expect(accepts({ messages: [{ role: 'user', content: 'hi' }], max_tokens: null })).toBe(true);
  });

  it('refuses content that is neither a string nor parts, and null content except on an assistant message', () => {
    const badContent = fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(fc.string(), fc.string()));
    fc.assert(fc.property(badContent, role, (c, r) => !accepts({ messages: [{ role: r, content: c }] })));
    for (const r of MESSAGE_ROLES.filter((r) => r !== 'assistant')) {
      expect(accepts({ messages: [{ role: r, content: null }] })).toBe(false);
      expect(refusal({ messages: [{ role: r }] })).toBe('Invalid request body: field "messages.0.content" is required');
    }
    expect(accepts({ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function' }] }] })).toBe(true);
    expect(accepts({ messages: [{ role: 'assistant' }] })).toBe(true);
    // The role's own rule speaks first: null is not offered to a user message.
    expect(refusal({ messages: [{ role: 'user', content: 5 }] })).toBe('Invalid request body: field "messages.0.content" must be a string or an array');
    expect(refusal({ messages: [{ role: 'assistant', content: 5 }] })).toBe('Invalid request body: field "messages.0.content" must be a string, an array or null');
  });

  it('refuses a text part without its text, a part without a type; takes other part types as they are', () => {
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'text' }] }] })).toBe('Invalid request body: field "messages.0.content.0.text" is required');
    expect(accepts({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })).toBe(false);
    expect(accepts({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }] })).toBe(true);
  });

  it('refuses a stream that is not a boolean', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer()), validBody, (s, body) => !accepts({ ...body, stream: s })));
  });
});
