import type { Account, StoredKey } from './account.js';

/** Who is calling: a management key (its account) or an ordinary key created through the API. */
export type Principal =
  | { kind: 'management'; account: Account }
  | { kind: 'key'; account: Account; key: StoredKey };

/** The token of `Bearer <token>` (scheme in any case, spaces around), or undefined. */
export function bearerToken(header: string): string | undefined {
  // The common form, without a regular expression.
  if (header.startsWith('Bearer ') && header.indexOf(' ', 7) === -1 && header.length > 7) return header.slice(7);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * SHA-256 of bearer tokens, remembered: a client sends the same token on every request, and
 * hashing is the largest fixed cost of a request. Bounded; never logged or exported.
 */
export class TokenHashes {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly sha256Hex: (text: string) => string) {}

  of(token: string): string {
    let hash = this.hashes.get(token);
    if (hash === undefined) {
      if (this.hashes.size >= 1024) this.hashes.clear();
      hash = this.sha256Hex(token);
      this.hashes.set(token, hash);
    }
    return hash;
  }
}
