/**
 * The README's two MSW examples ("### Without a server: MSW handlers"), as written, with only the
 * package import pointed at src/. Shared by the tests that run them: readme-jsdom.test.ts (Vitest +
 * jsdom), test/e2e/msw-browser.test.ts (the browser one, built with Vite, in Chromium) and
 * readme-types.test.ts (both type-checked with the DOM's types, as an app would compile them).
 * Paths, not URLs: under jsdom, `URL` is jsdom's, which node:fs does not take.
 */
import { join, relative } from 'node:path';
import { GENERATED, readmeExamples, ROOT } from '../helpers/readme.js';

export { GENERATED, ROOT };
const PACKAGE_IMPORT = "from 'openrouter-keys-mock/msw'";

/** The `ts` code blocks of the MSW section, in order: [jsdom, browser]. */
export function readmeMswExamples(): { jsdom: string; browser: string } {
  const blocks = readmeExamples('### Without a server: MSW handlers');
  if (blocks.length !== 2 || !blocks.every((code) => code.includes(PACKAGE_IMPORT))) {
    throw new Error('the README MSW section should have two ts examples, each importing openrouter-keys-mock/msw');
  }
  return { jsdom: blocks[0]!, browser: blocks[1]! };
}

/** An example with its package import pointed at src/msw.ts, for a file in the folder `dir`. */
export function pointedAtSource(code: string, dir: string): string {
  // Relative, with `.js`: Vite and Vitest resolve it to the `.ts` beside it.
  const target = relative(dir, join(ROOT, 'src', 'msw.js'));
  return code.replace(PACKAGE_IMPORT, `from '${target.startsWith('.') ? target : `./${target}`}'`);
}
