import { adminHeaders } from './api';

export type EventHandler = (type: string, data: unknown) => void;
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

/**
 * Reads `GET /__mock/events` with fetch() rather than EventSource, which cannot send the admin
 * token as a header (and a token in the URL would end up in logs and history). Parses the
 * Server-Sent Events format itself and reconnects after the `retry` the server asks for. Every
 * `ready` after a reconnect means events may have been missed: the caller reloads what it shows.
 */
export function openEventStream(onEvent: EventHandler, onState: (state: StreamState) => void): () => void {
  const abort = new AbortController();
  let retryMs = 1000;

  async function readOnce(): Promise<'again' | 'stop'> {
    const response = await fetch('/__mock/events', { headers: adminHeaders(), signal: abort.signal, cache: 'no-store' });
    if (response.status === 401) return 'stop';
    if (!response.ok || !response.body) return 'again';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    let type = 'message';
    let data: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'again';
      pending += value;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (line === '') {
          // A blank line ends one event.
          if (data.length > 0) dispatch(type, data.join('\n'));
          type = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue; // a comment: the server's keep-alive
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const fieldValue = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'retry' && /^\d+$/.test(fieldValue)) retryMs = Number(fieldValue);
      }
    }
  }

  function dispatch(type: string, text: string): void {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
    if (type === 'ready') onState('live');
    onEvent(type, data);
  }

  void (async () => {
    onState('connecting');
    while (!abort.signal.aborted) {
      let outcome: 'again' | 'stop' = 'again';
      try {
        outcome = await readOnce();
      } catch {
        // A dropped connection or a stopped server: try again below.
      }
      if (abort.signal.aborted) return;
      if (outcome === 'stop') {
        onState('unauthorized');
        return;
      }
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();
  return () => abort.abort();
}
