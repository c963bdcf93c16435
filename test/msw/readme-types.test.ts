/**
 * Both README MSW examples type-check as written (package import pointed at src/), strict, with
 * the DOM's types as a browser app or a jsdom test compiles them. The browser example has no other
 * check in a Node-only run (test/e2e/msw-browser.test.ts needs Chromium), so this one always runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { GENERATED, pointedAtSource, readmeMswExamples, ROOT } from './readme-examples.js';

it('the jsdom and the browser examples compile under the project\'s strict options plus the DOM lib', () => {
  const dir = join(GENERATED, 'readme-types');
  mkdirSync(dir, { recursive: true });
  const examples = readmeMswExamples();
  const files = Object.entries(examples).map(([name, code]) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, pointedAtSource(code, dir));
    return file;
  });

  const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const program = ts.createProgram(files, { ...options, lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], noEmit: true });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(ROOT, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
});
