import { createRandom } from './random.js';

/**
 * Tokens, counted the mock's way: deterministic, the same on every door and machine, and cheap.
 * No real tokenizer (each model family has its own, and none is small): one rule for every model.
 *
 * - Text: one token per 4 characters, rounded up (`ceil(characters / 4)`), characters being
 *   Unicode code points (an emoji is one character, not two UTF-16 units). "" is 0 tokens, "Hi"
 *   1, "Hello, world" 3. Appending text never lowers the count.
 * - A chat prompt: per message, 4 tokens of overhead (role and framing) plus its text's tokens. A
 *   message's text is its `content` string, or its text parts' `text` joined (no separator);
 *   every other part (an image, a file, audio) counts a flat 85 tokens; a `null` content counts 0.
 *   Roles, names and tool calls cost only the overhead.
 * - A reply generated for N tokens (`generateReply`) is exactly 4 × N ASCII characters, so the
 *   counter gives back N: what `usage.completion_tokens` says is what the text counts.
 */

export const CHARACTERS_PER_TOKEN = 4;
/** Tokens each chat message costs besides its text. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Tokens of a content part that is not text (image_url, input_audio, file, …). */
export const NON_TEXT_PART_TOKENS = 85;

/** Unicode code points in `text`: UTF-16 units less the second half of each surrogate pair. */
function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** `ceil(code points / 4)`. */
export function countTextTokens(text: string): number {
  return Math.ceil(codePoints(text) / CHARACTERS_PER_TOKEN);
}

/** A chat message as far as counting goes: its content (string, parts or null); other fields cost the overhead only. */
export interface CountedMessage {
  content?: unknown;
}

function messageTokens(content: unknown): number {
  if (typeof content === 'string') return countTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let text = '';
  let other = 0;
  for (const part of content) {
    const typed = part as { type?: unknown; text?: unknown } | null;
    if (typed !== null && typeof typed === 'object' && typed.type === 'text' && typeof typed.text === 'string') text += typed.text;
    else other += NON_TEXT_PART_TOKENS;
  }
  return countTextTokens(text) + other;
}

/** The prompt tokens of chat messages: per message, the overhead plus its text's tokens (see above). */
export function countPromptTokens(messages: readonly CountedMessage[]): number {
  let total = 0;
  for (const message of messages) total += MESSAGE_OVERHEAD_TOKENS + messageTokens(message?.content);
  return total;
}

/** FNV-1a (32 bits) over UTF-16 units: the prompt's share of the reply's seed. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** One random source per (seed, prompt): the seed mixed, so that seeds 1 and 2 do not differ in one bit only. */
const replyRandom = (seed: number, prompt: string) => createRandom((Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ hashText(prompt)) >>> 0);

const WORDS = [
  'the', 'mock', 'model', 'reply', 'token', 'answer', 'request', 'key', 'limit', 'credit', 'usage', 'stream', 'test',
  'local', 'server', 'quick', 'steady', 'simple', 'clear', 'small', 'every', 'which', 'with', 'from', 'into', 'about',
  'sample', 'output', 'result', 'value', 'signal', 'window', 'daily', 'budget', 'spend', 'count', 'text', 'here', 'and',
  'a', 'of', 'to', 'is', 'it', 'we', 'so', 'as', 'on', 'in', 'by', 'deterministic', 'emulated', 'generated',
];
/** The last word of a reply, by its length (1 to 11), so that the text ends on a whole word and a full stop. */
const LAST_WORDS = ['a', 'an', 'the', 'mock', 'reply', 'answer', 'replied', 'response', 'generated', 'completion', 'completions'];
/** The longest word the loop emits, with its space or ". " after it. */
const LONGEST_STEP = Math.max(...WORDS.map((w) => w.length)) + 2;

/**
 * How long a reply is when the request does not say (no `max_tokens`): 16 to 48 tokens, fixed by
 * (seed, prompt), at most `maxTokens` when given.
 */
export function defaultReplyTokens(seed: number, prompt: string, maxTokens?: number): number {
  const tokens = 16 + Math.floor(replyRandom(seed, prompt).next() * 33);
  return maxTokens === undefined ? tokens : Math.max(0, Math.min(tokens, Math.floor(maxTokens)));
}

/**
 * A deterministic reply of exactly `tokens` tokens under `countTextTokens`: 4 × tokens ASCII
 * characters of words in sentences ("Mock reply with the budget. Stream key …"), ending with a
 * full stop; "" for 0. The same (seed, prompt, tokens) gives the same text on every run and door.
 */
export function generateReply(seed: number, prompt: string, tokens: number): string {
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`tokens must be a whole number ≥ 0 (got ${tokens})`);
  const target = tokens * CHARACTERS_PER_TOKEN;
  const random = replyRandom(seed, prompt);
  const pick = (n: number) => Math.floor(random.next() * n);
  let text = '';
  let sentenceLeft = 0;
  // Emit "word " or "word. " while the longest such step still leaves 2 characters or more, then
  // one last word of exactly the characters left, less one for the full stop.
  while (target - text.length >= LONGEST_STEP + 2) {
    let word = WORDS[pick(WORDS.length)]!;
    if (sentenceLeft === 0) {
      sentenceLeft = 6 + pick(9);
      word = word[0]!.toUpperCase() + word.slice(1);
    }
    sentenceLeft--;
    text += sentenceLeft === 0 ? `${word}. ` : `${word} `;
  }
  // Then short words to come within reach of the last words' lengths (at most 12 characters left).
  const capital = (word: string) => {
    if (sentenceLeft !== 0 || word === '') return word;
    sentenceLeft = -1;
    return word[0]!.toUpperCase() + word.slice(1);
  };
  while (target - text.length > LAST_WORDS.length + 1) text += `${capital('and')} `;
  const left = target - text.length;
  if (left === 0) return text;
  return `${text}${capital(left === 1 ? '' : LAST_WORDS[left - 2]!)}.`;
}
