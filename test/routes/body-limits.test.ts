/**
 * `--body-limit` bounds API request bodies; the control plane has its own, larger limit, so that a
 * state exported with `GET /__mock/state` can always be put back.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CONTROL_BODY_LIMIT } from '../../src/app.js';
import { bearer, buildTestApp, DOCS_HASH, errorOf } from '../helpers/build.js';

const MiB = 1024 * 1024;

async function listening(app: ReturnType<typeof buildTestApp>): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('body limits', () => {
  it('a state of 4,000 keys (over 1 MiB) round-trips through PUT /__mock/state; the API keeps --body-limit', async () => {
    const app = buildTestApp({ keys: 4000 });
    const base = await listening(app);
    const exported = await (await fetch(`${base}/__mock/state`)).text();
    expect(Buffer.byteLength(exported)).toBeGreaterThan(2 * MiB);

    await app.inject({ method: 'POST', url: '/__mock/reset' });
    await fetch(`${base}/api/v1/keys/${DOCS_HASH}`, { method: 'DELETE', headers: bearer() });
    const put = await fetch(`${base}/__mock/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: exported });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await (await fetch(`${base}/__mock/state`)).text()).toBe(exported);

    // The API's limit is still the default 1 MiB.
    const big = await fetch(`${base}/api/v1/keys/${DOCS_HASH}`, {
      method: 'PATCH',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(MiB) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toBe('Request body too large: the limit is 1048576 bytes');
  });

  it('a smaller --body-limit applies to /api/v1 only', async () => {
    const app = buildTestApp({ bodyLimit: 1024 });
    const state = (await app.inject({ method: 'GET', url: '/__mock/state' })).body;
    expect(state.length).toBeGreaterThan(1024);
    const put = await app.inject({ method: 'PUT', url: '/__mock/state', headers: { 'content-type': 'application/json' }, payload: state });
    expect(put.statusCode).toBe(200);
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/keys/${DOCS_HASH}`,
      headers: { ...bearer(), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2000) }),
    });
    expect(errorOf(patch)).toEqual({ code: 413, message: 'Request body too large: the limit is 1024 bytes' });
  });

  it(`a control body over ${CONTROL_BODY_LIMIT / MiB} MiB is a 413 that names the control plane's limit`, async () => {
    const app = buildTestApp();
    const base = new URL(await listening(app));
    // Declared, not sent: the limit is checked against Content-Length before the body is read.
    const raw = await new Promise<string>((resolve, reject) => {
      let out = '';
      const socket = connect(Number(base.port), base.hostname, () =>
        socket.write(`PUT /__mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${CONTROL_BODY_LIMIT + 1}\r\n\r\n{`),
      );
      socket.on('data', (d) => {
        out += String(d);
        if (out.includes('}}')) socket.destroy();
      });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 413/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 413, message: `Request body too large: the limit is ${CONTROL_BODY_LIMIT} bytes` },
    });
  });
});
