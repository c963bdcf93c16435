import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { MockControl } from '../src/control/mock-control.js';
import { bundledScenarios } from '../src/data/bundled-fixtures.js';
import { sha256HexPortable } from '../src/data/portable-hash.js';
import { createRuntime } from '../src/mock-runtime.js';
import { createMockRuntime, sha256Hex } from '../src/runtime.js';
import { API_ROUTES } from '../src/http/api-operations.js';

const NOW = '2026-01-14T12:00:00Z';
const browserPlatform = { sha256Hex: sha256HexPortable, scenarios: bundledScenarios, apiRoutes: API_ROUTES };

describe('sha256HexPortable', () => {
  const nodeHash = (text: string) => createHash('sha256').update(text).digest('hex');

  it('equals node:crypto for any string, unicode and lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', minLength: 60, maxLength: 300 })), (text) => {
        expect(sha256HexPortable(text)).toBe(nodeHash(text));
      }),
      { numRuns: 500 },
    );
  });

  it("equals runtime.ts's sha256Hex on known inputs", () => {
    for (const text of ['', 'abc', 'sk-or-v1-0123', '\u{1F600}\u00e9', '\ud800']) expect(sha256HexPortable(text)).toBe(sha256Hex(text));
    expect(sha256HexPortable('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('createRuntime (the browser-safe runtime)', () => {
  it.each([25, 350])('with the portable hash and the bundled scenarios, starts in the same bytes as createMockRuntime (%i keys)', (keys) => {
    const config = resolveConfig({ logLevel: 'silent', now: NOW, seed: 5, keys });
    const node = new MockControl(createMockRuntime(config, () => 0));
    const browser = new MockControl(createRuntime(config, { ...browserPlatform, realNow: () => 0 }));
    expect(JSON.stringify(browser.state())).toBe(JSON.stringify(node.state()));
  });

  it('a scenario applied at run time comes from the platform, with the same result', () => {
    const config = resolveConfig({ logLevel: 'silent', now: NOW });
    const node = new MockControl(createMockRuntime(config, () => 0));
    const browser = new MockControl(createRuntime(config, { ...browserPlatform, realNow: () => 0 }));
    expect(browser.scenarios()).toEqual(node.scenarios());
    node.scenario('near-limit', { seed: 9 });
    browser.scenario('near-limit', { seed: 9 });
    expect(JSON.stringify(browser.state())).toBe(JSON.stringify(node.state()));
  });

  it('starts from a saved state, and reset goes back to it', () => {
    const config = resolveConfig({ logLevel: 'silent', now: NOW, scenario: 'empty' });
    const saved = new MockControl(createMockRuntime(resolveConfig({ logLevel: 'silent', now: NOW, scenario: 'expired' }), () => 0)).state();
    const control = new MockControl(createRuntime(config, { ...browserPlatform, savedState: saved }));
    expect(control.state()).toEqual(saved);
    control.scenario('empty');
    expect(control.state()).not.toEqual(saved);
    control.reset();
    expect(control.state()).toEqual(saved);
  });

  it('without --now and without realNow, the clock starts at Date.now', () => {
    const before = Date.now();
    const runtime = createRuntime(resolveConfig({ logLevel: 'silent' }), browserPlatform);
    expect(runtime.startedAt).toBeGreaterThanOrEqual(before);
    expect(runtime.startedAt).toBeLessThanOrEqual(Date.now());
  });
});
