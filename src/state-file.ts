import { existsSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { ApiError } from './domain/errors.js';
import type { KeyStore } from './domain/key-store.js';
import { validateState } from './domain/state-rules.js';
import type { StoreState } from './domain/types.js';
import { validationError } from './plugins/validation-message.js';
import { StateDocumentSchema } from './schemas/control.js';
import { createValidators } from './validators.js';

/**
 * `--state-file`: state that survives restarts, for local development. Loaded at start; saved
 * atomically (temp file, fsync, rename) shortly after changes and at shutdown. A corrupt or
 * unreadable file stops start-up and is never overwritten.
 */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** The saved state, or undefined when the file does not exist yet. Throws `StateFileError`. */
export function readStateFile(path: string): StoreState | undefined {
  if (!existsSync(path)) return undefined;
  const fail = (why: string): never => {
    throw new StateFileError(`cannot use --state-file ${path}: ${why} (the file was left untouched; fix or remove it)`);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read it: ${(err as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    fail(`it is not valid JSON: ${(err as Error).message}`);
  }
  const check = createValidators().body.compile(StateDocumentSchema);
  if (!check(document)) fail(validationError(check.errors ?? [], 'state document').message);
  try {
    validateState(document as StoreState);
  } catch (err) {
    if (err instanceof ApiError) fail(err.message);
    throw err;
  }
  return document as StoreState;
}

/** Writes `text` to `path` atomically: a crash leaves the old file or the new one, never half. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Saves the store's state to the file after changes (debounced) and on flush. */
export class StateSaver {
  private saved: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly store: KeyStore,
    private readonly onError: (err: Error) => void,
    private readonly debounceMs = 200,
  ) {
    this.saved = -1;
  }

  /** Call after anything that may have changed the state; cheap when nothing did. */
  changed(): void {
    if (this.store.revision === this.saved || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now if the state moved since the last save. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      const revision = this.store.revision;
      if (revision === this.saved) return;
      try {
        await writeAtomically(this.path, `${JSON.stringify(this.store.export(), null, 2)}\n`);
        this.saved = revision;
      } catch (err) {
        this.onError(err as Error);
      }
    });
    return this.writing;
  }
}
