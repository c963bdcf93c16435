/**
 * `--ready-file PATH`: how a harness in any language (pytest, `go test`, a shell) learns that the
 * mock is up and where, without parsing the human banner. The file appears only once the server
 * has answered a request of its own, so "the file exists" means "the mock answers"; it is written
 * to a temporary name and renamed, so a reader never sees half of it; it is removed at shutdown,
 * and a restart writes it anew (with the new port and pid, which is how a waiter tells a file left
 * by a killed mock from its own).
 */
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { MockServer } from './server.js';
import { VERSION } from './version.js';

/** What the file holds: one JSON object. */
export interface ReadySignal {
  /** The API's base URL, e.g. `http://127.0.0.1:54321/api/v1`: an SDK's server URL. */
  url: string;
  /** Scheme, host and port: the control API is at `${origin}/__mock`. */
  origin: string;
  /** The configured management keys, the first owning the start-up dataset. */
  managementKeys: string[];
  /** The mock's process id. */
  pid: number;
  version: string;
  /** Whether the `/__mock` control routes are served (`--control`). */
  control: boolean;
}

/** Writes the ready file once `server` answers; resolves to the function that removes it. */
export async function announceReady(path: string, server: MockServer): Promise<() => void> {
  // A request through the real socket, not just `listen` having resolved: /__mock/health is
  // always served, with or without --control, and never faulted or delayed.
  const health = await fetch(`${server.origin}/__mock/health`);
  await health.arrayBuffer();
  if (!health.ok) throw new Error(`the mock's own health check answered ${health.status}`);
  const signal: ReadySignal = {
    url: server.url,
    origin: server.origin,
    managementKeys: server.managementKeys,
    pid: process.pid,
    version: VERSION,
    control: server.config.control,
  };
  const temporary = `${path}.${process.pid}.tmp`;
  // It holds the management keys in full, as the banner does: readable by this user only.
  writeFileSync(temporary, `${JSON.stringify(signal)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    rmSync(path, { force: true });
  };
  // Also on an exit that does not go through the graceful shutdown (an uncaught error).
  process.once('exit', remove);
  return remove;
}
