import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { createMockServer } from '../src/server.js';
import { DOCS_HASH, MANAGEMENT_KEY } from './helpers/build.js';

/** Sends `head` and part of a body, then nothing more; resolves with all the server answers once it closes. */
function stall(port: number, head: string, partialBody: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(head + partialBody);
  });
}

describe('--request-timeout: a request that stalls is answered 408, not held forever', () => {
  it('is 30 s unless set, and takes ms or a duration', () => {
    expect(resolveConfig().requestTimeout).toBe(30_000);
    expect(resolveConfig({ requestTimeout: '1m30s' }).requestTimeout).toBe(90_000);
    expect(resolveConfig({ requestTimeout: 250 }).requestTimeout).toBe(250);
    expect(resolveConfig({ requestTimeout: '0' }).requestTimeout).toBe(0);
  });

  it.each([
    ['an API PATCH', `PATCH /api/v1/keys/${DOCS_HASH} HTTP/1.1\r\nAuthorization: Bearer ${MANAGEMENT_KEY}\r\n`],
    ['a state import', 'PUT /__mock/state HTTP/1.1\r\n'],
  ])('%s whose body stops after its headers gets the 408 envelope and the connection closes', async (_what, requestLine) => {
    const mock = await createMockServer({ port: 0, requestTimeout: 300 });
    try {
      const before = JSON.stringify(await mock.state());
      const port = Number(new URL(mock.origin).port);
      const text = await stall(port, `${requestLine}Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n`, '{"name":"never fin');
      expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(text).toMatch(/\r\nx-mock-server: openrouter-keys-mock\//i);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 408, message: 'Request timeout: the whole request did not arrive in time' },
      });
      expect(JSON.stringify(await mock.state())).toBe(before);
      // The server serves as before.
      expect((await fetch(`${mock.origin}/__mock/health`)).status).toBe(200);
    } finally {
      await mock.close();
    }
  });
});
