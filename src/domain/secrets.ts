/** The shape of OpenRouter's secrets and the label that masks them. */
export const KEY_PREFIX = 'sk-or-v1-';

export function plaintextKey(secretHex: string): string {
  return `${KEY_PREFIX}${secretHex}`;
}

const LABEL_LENGTH = KEY_PREFIX.length + 3 + 3 + 4;
const labelCodes = new Uint16Array(LABEL_LENGTH);
for (let i = 0; i < KEY_PREFIX.length; i++) labelCodes[i] = KEY_PREFIX.charCodeAt(i);
labelCodes.fill(46, KEY_PREFIX.length + 3, KEY_PREFIX.length + 6); // "..."
const utf16 = new TextDecoder('utf-16le');

/**
 * `sk-or-v1-` + the first 3 and last 4 characters of the secret, as OpenRouter shows keys. Written
 * as one flat string (labels are kept for every key; a concatenation keeps its pieces).
 */
export function maskedLabel(plaintext: string): string {
  const offset = plaintext.startsWith(KEY_PREFIX) ? KEY_PREFIX.length : 0;
  const secretLength = plaintext.length - offset;
  const at = KEY_PREFIX.length;
  for (let i = 0; i < 3; i++) labelCodes[at + i] = secretLength < 8 ? 42 : plaintext.charCodeAt(offset + i);
  for (let i = 0; i < 4; i++) labelCodes[at + 6 + i] = secretLength < 8 ? 42 : plaintext.charCodeAt(plaintext.length - 4 + i);
  return utf16.decode(labelCodes);
}
