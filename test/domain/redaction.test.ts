import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretName, redactUrl, urlMayHoldSecret } from '../../src/domain/redaction.js';

const SECRET_HEX = 'ab12'.repeat(16);
const KEY = `sk-or-v1-${SECRET_HEX}`;
const LABEL = 'sk-or-v1-ab1...ab12';

/** Every character of the text, each written as itself or as its `%XX` escape (either case). */
const anyEncoding = (text: string) =>
  fc
    .array(fc.constantFrom('plain', 'upper', 'lower'), { minLength: text.length, maxLength: text.length })
    .map((ways) =>
      [...text]
        .map((char, i) => {
          const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
          return ways[i] === 'plain' ? char : `%${ways[i] === 'upper' ? hex.toUpperCase() : hex}`;
        })
        .join(''),
    );

/** URL characters that cannot spell a key or an escape: letters, digits and path punctuation. */
const segment = fc.stringMatching(/^[a-z0-9._~-]{0,12}$/);

describe('redactUrl', () => {
  it('masks a key in the path and the query string, as the journal does', () => {
    expect(redactUrl(`/api/v1/keys/${KEY}`)).toBe(`/api/v1/keys/${LABEL}`);
    expect(redactUrl(`/api/v1/keys?x=${KEY}&offset=5`)).toBe(`/api/v1/keys?x=${LABEL}&offset=5`);
    expect(redactUrl(`/api/v1/keys?${KEY}`)).toBe(`/api/v1/keys?${LABEL}`);
  });

  it('masks a percent-encoded key (the server decodes it: it is as plain as the other)', () => {
    expect(redactUrl(`/api/v1/keys/sk%2Dor%2Dv1%2D${SECRET_HEX}`)).toBe(`/api/v1/keys/${LABEL}`);
    expect(redactUrl(`/api/v1/keys?x=%73k-or-v1-${SECRET_HEX}`)).toBe(`/api/v1/keys?x=${LABEL}`);
  });

  it('blanks the value of query fields named like secrets, whatever it is', () => {
    expect(redactUrl('/api/v1/keys?api_key=hunter2&offset=1&Token=t&x=1')).toBe('/api/v1/keys?api_key=[redacted]&offset=1&Token=[redacted]&x=1');
    expect(redactUrl('/api/v1/keys?%6Bey=hunter2')).toBe('/api/v1/keys?%6Bey=[redacted]');
  });

  it('leaves a URL without anything to hide as the very same string', () => {
    const hash = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
    for (const url of [`/api/v1/keys/${hash}`, '/api/v1/keys?offset=100&include_disabled=true', '/api/v1/keys/%E0%A4%A', '/']) {
      expect(redactUrl(url)).toBe(url);
    }
    expect(urlMayHoldSecret(`/api/v1/keys/${hash}`)).toBe(false);
  });

  it('never lets a key through, however it is encoded and wherever it sits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 3 }),
        anyEncoding(KEY),
        fc.constantFrom('segment', 'query value', 'query name', 'inside a segment'),
        fc.array(fc.tuple(segment, segment), { maxLength: 3 }),
        (segments, encodedKey, where, pairs) => {
          const query = pairs.map(([name, value]) => `${name}=${value}`);
          let url: string;
          if (where === 'segment') url = `/${[...segments, encodedKey].join('/')}`;
          else if (where === 'inside a segment') url = `/${segments.join('/')}/pre${encodedKey}.post`;
          else {
            const secretPair = where === 'query value' ? `x=${encodedKey}` : `${encodedKey}=1`;
            url = `/${segments.join('/')}?${[...query, secretPair].join('&')}`;
          }
          const shown = redactUrl(url);
          expect(decodeURIComponent(shown)).not.toContain(SECRET_HEX);
          expect(shown).toContain(LABEL);
        },
      ),
    );
  });

  it('changes nothing but the secrets (property)', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(fc.tuple(segment, segment), { maxLength: 4 }), (segments, pairs) => {
        const query = pairs.filter(([name]) => !isSecretName(name));
        const url = `/${segments.join('/')}${query.length ? `?${query.map(([n, v]) => `${n}=${v}`).join('&')}` : ''}`;
        expect(redactUrl(url)).toBe(url);
      }),
    );
  });
});

describe('isSecretName: counts named like tokens are no secrets', () => {
  it.each(['access_token', 'refresh_token', 'idToken', 'x-api-key', 'client_secret', 'Authorization', 'token'])('%s is a secret name', (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each(['max_tokens', 'prompt_tokens', 'completion_tokens', 'tokens', 'author', 'name', 'limit'])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
