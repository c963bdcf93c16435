import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../mock-runtime.js';
import { StateSaver } from '../state-file.js';

/**
 * `--state-file` on the server: every change to keys or accounts, whichever door made it (HTTP or
 * the test handle), saves the file shortly after (src/state-file.ts); the app's start saves it once
 * and its close waits for the last save.
 */
export function saveStateFile(app: FastifyInstance, path: string, runtime: MockRuntime): void {
  const saver = new StateSaver(path, runtime.store, (err) => app.log.error({ err }, 'could not save --state-file'));
  const stopSaving = runtime.events.on(() => saver.changed(), ['keys', 'accounts']);
  app.addHook('onReady', (done) => {
    saver.changed();
    done();
  });
  app.addHook('onClose', () => {
    stopSaving();
    return saver.flush();
  });
}
