import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countPromptTokens,
  countTextTokens,
  defaultReplyTokens,
  generateReply,
  MESSAGE_OVERHEAD_TOKENS,
  NON_TEXT_PART_TOKENS,
} from '../../src/domain/tokens.js';

const anyText = fc.string({ unit: 'binary', maxLength: 300 });

describe('countTextTokens: ceil(code points / 4)', () => {
  it.each<[string, number]>([
    ['', 0],
    ['H', 1],
    ['Hi', 1],
    ['Hiya', 1],
    ['Hello', 2],
    ['Hello, world', 3],
    ['😀😀😀😀', 1], // four code points, eight UTF-16 units
    ['😀😀😀😀😀', 2],
    ['\ud83d', 1], // a lone surrogate is one code point
    ['\ude00\ud83d', 1], // in the wrong order: two
    ['\ude00\ud83dab', 1],
    ['\ude00\ud83dabc', 2],
  ])('%j → %i', (text, tokens) => {
    expect(countTextTokens(text)).toBe(tokens);
  });

  it('is [...text].length / 4 rounded up, for any string (property)', () => {
    fc.assert(fc.property(anyText, (text) => countTextTokens(text) === Math.ceil([...text].length / 4)));
  });

  it('is deterministic, never lower for more text, and sub-additive up to one token (property)', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const [ta, tb, tab] = [countTextTokens(a), countTextTokens(b), countTextTokens(a + b)];
        expect(countTextTokens(a)).toBe(ta);
        expect(tab).toBeGreaterThanOrEqual(Math.max(ta, tb));
        expect(tab).toBeLessThanOrEqual(ta + tb);
      }),
    );
  });
});

describe('countPromptTokens', () => {
  it('per message: the overhead plus its text', () => {
    expect(countPromptTokens([])).toBe(0);
    expect(countPromptTokens([{ content: 'Hello, world' }])).toBe(MESSAGE_OVERHEAD_TOKENS + 3);
    expect(countPromptTokens([{ content: 'You are terse.' }, { content: 'Hi' }])).toBe(2 * MESSAGE_OVERHEAD_TOKENS + 4 + 1);
    expect(countPromptTokens([{ content: null }, {}])).toBe(2 * MESSAGE_OVERHEAD_TOKENS);
  });

  it('text parts are joined; other parts count a flat amount', () => {
    const parts = [
      { type: 'text', text: 'Hello, ' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      { type: 'text', text: 'world' },
    ];
    expect(countPromptTokens([{ content: parts }])).toBe(MESSAGE_OVERHEAD_TOKENS + 3 + NON_TEXT_PART_TOKENS);
    expect(countPromptTokens([{ content: [null, 'x'] }])).toBe(MESSAGE_OVERHEAD_TOKENS + 2 * NON_TEXT_PART_TOKENS);
  });

  it('is the sum over messages, deterministic, and grows with every message (property)', () => {
    const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: anyText });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), message, (messages, more) => {
        const total = countPromptTokens(messages);
        expect(total).toBe(messages.reduce((sum, m) => sum + MESSAGE_OVERHEAD_TOKENS + countTextTokens(m.content), 0));
        expect(countPromptTokens([...messages, more])).toBeGreaterThanOrEqual(total + MESSAGE_OVERHEAD_TOKENS);
      }),
    );
  });
});

describe('generateReply: N tokens of deterministic text', () => {
  it('reads as sentences and counts exactly what it was asked for', () => {
    const reply = generateReply(1, 'Say hello', 30);
    expect(reply).toMatch(/^[A-Z][a-z]*( [a-zA-Z]+\.?)*\.$/);
    expect(reply).toHaveLength(120);
    expect(countTextTokens(reply)).toBe(30);
    expect(generateReply(1, 'Say hello', 0)).toBe('');
    expect(generateReply(1, 'Say hello', 1)).toMatch(/^[A-Z][a-z]{2}\.$/);
  });

  it('is the same for the same (seed, prompt, tokens), and differs with the seed or the prompt', () => {
    expect(generateReply(7, 'prompt', 40)).toBe(generateReply(7, 'prompt', 40));
    expect(generateReply(8, 'prompt', 40)).not.toBe(generateReply(7, 'prompt', 40));
    expect(generateReply(7, 'prompt!', 40)).not.toBe(generateReply(7, 'prompt', 40));
  });

  it('counts exactly N under countTextTokens, for any seed, prompt and N (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), anyText, fc.nat({ max: 600 }), (seed, prompt, tokens) => {
        const reply = generateReply(seed, prompt, tokens);
        expect(countTextTokens(reply)).toBe(tokens);
        expect(reply).toHaveLength(4 * tokens);
        expect(generateReply(seed, prompt, tokens)).toBe(reply);
        expect(reply).toMatch(/^(|[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?)$/); // ASCII, no space at either end
        expect(reply).not.toMatch(/ {2}| \./);
        if (tokens > 0) expect(reply.endsWith('.')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a token count that is not a whole number ≥ 0', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => generateReply(1, '', bad)).toThrow(RangeError);
  });
});

describe('defaultReplyTokens', () => {
  it('is 16 to 48, fixed by (seed, prompt), at most max_tokens', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), anyText, fc.option(fc.nat({ max: 100 }), { nil: undefined }), (seed, prompt, max) => {
        const n = defaultReplyTokens(seed, prompt, max);
        expect(n).toBe(defaultReplyTokens(seed, prompt, max));
        const free = defaultReplyTokens(seed, prompt);
        expect(free).toBeGreaterThanOrEqual(16);
        expect(free).toBeLessThanOrEqual(48);
        expect(n).toBe(max === undefined ? free : Math.min(free, max));
      }),
    );
  });
});
