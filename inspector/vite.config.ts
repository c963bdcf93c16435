import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { INSPECTOR_PATH } from '../src/domain/paths.js';

/**
 * The inspector's build: `npm run build` writes it to dist/inspector/, where the server serves it
 * at /__mock/ui/ (src/plugins/inspector.ts). Asset names carry a content hash, because the server
 * caches them for good and revalidates only index.html. Preact's JSX needs no plugin: Oxc (Vite 8's
 * transformer) compiles it with Preact's automatic runtime.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: INSPECTOR_PATH,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/inspector/', import.meta.url)),
    emptyOutDir: true,
    // One entry chunk: nothing to preload, so no preload polyfill either.
    modulePreload: { polyfill: false },
    // Nothing inlined as data: URLs and nothing fetched from another origin.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
