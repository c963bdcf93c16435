import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { INSPECTOR_ROOT } from '../../src/plugins/inspector.js';
import { hasBuild } from './inspector-harness.js';

/** The README quotes this budget and the measured size. */
const JS_BUDGET_GZIP = 60 * 1024;

/** The built inspector (npm run build): small, hashed, and self-contained. */
describe.runIf(hasBuild)('the built inspector (dist/inspector)', () => {
  const assets = readdirSync(`${INSPECTOR_ROOT}assets`);
  const scripts = assets.filter((name) => name.endsWith('.js'));

  it(`ships at most ${JS_BUDGET_GZIP / 1024} KB of JavaScript, gzipped`, () => {
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(`${INSPECTOR_ROOT}assets/${name}`), { level: 9 }).length, 0);
    console.log(`inspector JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(JS_BUDGET_GZIP);
  });

  it('names its assets by content hash (they are cached for good) under /__mock/ui/', () => {
    for (const name of assets) expect(name).toMatch(/^[\w-]+-[\w-]{8}\.(js|css)$/);
    const html = readFileSync(`${INSPECTOR_ROOT}index.html`, 'utf8');
    for (const name of assets) expect(html).toContain(`/__mock/ui/assets/${name}`);
  });

  it('loads nothing from another origin (works offline: no CDN, no web fonts)', () => {
    const html = readFileSync(`${INSPECTOR_ROOT}index.html`, 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const name of assets) {
      const text = readFileSync(`${INSPECTOR_ROOT}assets/${name}`, 'utf8');
      // XML namespace names (SVG, MathML) are identifiers, not addresses anything is loaded from.
      const urls = (text.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi) ?? []).filter((url) => !url.includes('www.w3.org'));
      expect(urls, name).toEqual([]);
      expect(text).not.toMatch(/@import|@font-face/);
    }
  });
});
