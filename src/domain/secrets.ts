/** The shape of OpenRouter's secrets and the label that masks them. */
export const KEY_PREFIX = 'sk-or-v1-';

export function plaintextKey(secretHex: string): string {
  return `${KEY_PREFIX}${secretHex}`;
}

/** `sk-or-v1-` + the first 3 and last 4 characters of the secret, as OpenRouter shows keys. */
export function maskedLabel(plaintext: string): string {
  const secret = plaintext.startsWith(KEY_PREFIX) ? plaintext.slice(KEY_PREFIX.length) : plaintext;
  if (secret.length < 8) return `${KEY_PREFIX}${'*'.repeat(3)}...${'*'.repeat(4)}`;
  return `${KEY_PREFIX}${secret.slice(0, 3)}...${secret.slice(-4)}`;
}
