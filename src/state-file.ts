import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { checkStateDocument } from './control/state-document.js';
import { ApiError } from './domain/errors.js';
import type { KeyStore } from './domain/key-store.js';
import type { StoreState } from './domain/types.js';
import type { MockRuntime } from './mock-runtime.js';

/**
 * `--state-file`: state that survives restarts, for local development. Loaded at start; saved
 * atomically (temp file, fsync, rename, folder fsync) shortly after changes and at shutdown. A
 * corrupt or unreadable file stops start-up and is never overwritten. It holds plaintext
 * management keys: a new file is 0600, a save keeps the mode the file had, and a file another
 * process changed since the mock last read or wrote it is never saved over.
 */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/**
 * Which version of a file this is: a save overwrites the file only while it is still the version
 * the mock last read or wrote. Any editor's save or replacement changes one of these (the
 * modification time in nanoseconds, as finely as the file system keeps it); the change time is
 * left out because the mock's own rename changes it.
 */
type FileVersion = string;

function versionOf(stats: BigIntStats): FileVersion {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** Plaintext management keys are in it: only its owner may read a file the mock creates. */
const NEW_FILE_MODE = 0o600;

/** What is at `path` now: its version and mode, or 'absent'. */
async function currentVersion(path: string): Promise<{ version: FileVersion | 'absent'; mode: number }> {
  try {
    const stats = await stat(path, { bigint: true });
    return { version: versionOf(stats), mode: Number(stats.mode & 0o7777n) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 'absent', mode: NEW_FILE_MODE };
    throw err;
  }
}

/**
 * The version of each file `readStateFile` last read, by absolute path: the runtime reads the
 * file, and the app's saver (built after it, possibly from another call) starts from what was read.
 */
const versionsRead = new Map<string, FileVersion | 'absent'>();

/** The saved state, or undefined when the file does not exist yet. Throws `StateFileError`. */
export function readStateFile(path: string): StoreState | undefined {
  const fail = (why: string): never => {
    throw new StateFileError(`cannot use --state-file ${path}: ${why} (the file was left untouched; fix or remove it)`);
  };
  let text = '';
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // The version of the very bytes read: fstat of the open file, not a second look at the name.
    const version = versionOf(fstatSync(fd, { bigint: true }));
    text = readFileSync(fd, 'utf8');
    versionsRead.set(resolve(path), version);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      versionsRead.set(resolve(path), 'absent');
      return undefined;
    }
    fail(`cannot read it: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    fail(`it is not valid JSON: ${(err as Error).message}`);
  }
  // The same check, in the same words, as PUT /__mock/state.
  try {
    return checkStateDocument(document);
  } catch (err) {
    if (err instanceof ApiError) fail(err.message);
    throw err;
  }
}

/** Characters of JSON handed to the file at a time; between pieces, requests are served. */
const PIECE = 1 << 20;

/**
 * The state as JSON text, one key a line, in pieces of about `PIECE` characters. It is built from
 * a snapshot (a deep copy) piece by piece, so that a save of 100,000 keys (about 58 MiB) neither
 * holds the event loop for the whole text nor keeps two copies of it in memory.
 */
function* stateText(state: StoreState): Generator<string> {
  let piece = '{"accounts": [';
  for (const [index, account] of state.accounts.entries()) {
    const { keys, ...fields } = account;
    // The account's own fields on one line, then its keys (`keys` comes last on the wire too).
    const head = JSON.stringify(fields);
    piece += `${index === 0 ? '' : ','}\n${head === '{}' ? '{' : `${head.slice(0, -1)}, `}"keys": [`;
    for (const [k, key] of keys.entries()) {
      piece += `${k === 0 ? '' : ','}\n${JSON.stringify(key)}`;
      if (piece.length >= PIECE) {
        yield piece;
        piece = '';
      }
    }
    piece += '\n]}';
  }
  yield `${piece}\n]}\n`;
}

/** Temp files of saves: `<file>.<pid>.<random>.tmp`, one name per save, beside the file. */
function tempName(path: string): string {
  return resolve(`${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The temp files this process is writing now (several servers may run in one process). */
const tempsInUse = new Set<string>();

/**
 * Removes the temp files that saves cut short left beside `path` (a SIGKILL or a crash between
 * creating one and renaming it). A temp file is never loaded, so this is tidiness, not safety. A
 * file whose process still runs is left alone: it may be another server's save under way.
 */
async function removeLeftovers(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (!match) continue;
    const pid = Number(match[1]);
    const file = resolve(dirname(path), name);
    // Our own pid on a file we are not writing: left by an earlier process that had it (in a
    // container the server is always PID 1).
    if (pid === process.pid ? tempsInUse.has(file) : isRunning(pid)) continue;
    await unlink(file).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file changed since the mock last read or wrote it; nothing was written over it. */
export class StateFileChangedError extends StateFileError {}

function changedError(path: string): StateFileChangedError {
  return new StateFileChangedError(
    `--state-file ${path} was changed by another process since the mock last read or wrote it; ` +
      'the mock no longer saves to it, and changes made in the mock from now on are not saved. ' +
      'To keep the file as it is now, restart the mock (it loads the file); to let the mock save its state, delete the file (the next change is saved)',
  );
}

/**
 * Writes the state to `path` atomically: a crash at any moment leaves the old file or the new one,
 * whole. The rename is made durable by syncing the folder too (on Linux a power cut may otherwise
 * undo it; a SIGKILL alone cannot). Writes only while the file is absent or still `expected`
 * (checked before writing and again just before the rename); returns the version written.
 */
async function writeState(path: string, state: StoreState, expected: FileVersion | 'absent'): Promise<FileVersion> {
  const unchanged = async (): Promise<number> => {
    const now = await currentVersion(path);
    if (now.version !== 'absent' && now.version !== expected) throw changedError(path);
    return now.mode;
  };
  const mode = await unchanged();
  const temp = tempName(path);
  tempsInUse.add(temp);
  let created = false;
  let written: FileVersion;
  try {
    // 'wx': a name already taken is never written into (nor removed below). Created 0600 (or
    // less, under a umask), then given the file's own mode before a byte is in it: the umask must
    // not narrow what the file had.
    const handle = await open(temp, 'wx', NEW_FILE_MODE);
    created = true;
    try {
      await handle.chmod(mode);
      // Piece by piece; each is written whole, and other callbacks run between them.
      await writeFile(handle, stateText(state), 'utf8');
      await handle.sync();
      // Renaming keeps the inode, the size and the modification time: this is the version the file will have.
      written = versionOf(await handle.stat({ bigint: true }));
    } finally {
      await handle.close();
    }
    // A change made while the temp file was written is not overwritten either. (One made between
    // this look and the rename is: no lock shuts out every editor.)
    await unchanged();
    await rename(temp, path);
  } catch (err) {
    if (created) await unlink(temp).catch(() => undefined);
    throw err;
  } finally {
    tempsInUse.delete(temp);
  }
  await syncFolder(dirname(path));
  return written;
}

async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder as a file; its renames need no folder sync.
  } finally {
    await handle?.close();
  }
}

/** For a saver built on a file no `readStateFile` call read: what is there now. */
function versionNowSync(path: string): FileVersion | 'absent' {
  try {
    return versionOf(statSync(path, { bigint: true }));
  } catch {
    return 'absent';
  }
}

/** How long after a change the save starts (later changes do not push it back). */
export const SAVE_DEBOUNCE_MS = 200;

/**
 * Saves the store's state to the file after changes and on flush. A change acknowledged at time t
 * is on disk by t + max(debounce, the rest of a save under way) + one save: saves run one at a
 * time, each from a snapshot taken when it starts, and the debounce timer is not pushed back by
 * later changes, so a steady stream of writes cannot keep the state from being saved.
 */
export class StateSaver {
  private saved = -1;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void>;
  /** The version of the file the mock last read or wrote: the only one a save may replace. */
  private known: FileVersion | 'absent';
  /** Saves are refused (the file changed underneath) and that was said once; until the file is deleted. */
  private refusing = false;

  constructor(
    private readonly path: string,
    private readonly store: KeyStore,
    private readonly onError: (err: Error) => void,
    private readonly debounceMs = SAVE_DEBOUNCE_MS,
  ) {
    this.known = versionsRead.get(resolve(path)) ?? versionNowSync(path);
    this.writing = removeLeftovers(path);
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

  /** Writes now (after a save under way) if the state moved since the last save. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      const revision = this.store.revision;
      if (revision === this.saved) return;
      try {
        this.known = await writeState(this.path, this.store.export(), this.known);
        this.saved = revision;
        this.refusing = false;
      } catch (err) {
        // One error for a file changed underneath, not one a change: each later save is refused
        // the same way until the file is deleted.
        if (err instanceof StateFileChangedError) {
          if (this.refusing) return;
          this.refusing = true;
        }
        this.onError(err as Error);
      }
    });
    return this.writing;
  }
}

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
