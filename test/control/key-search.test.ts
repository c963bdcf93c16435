/**
 * `GET /__mock/accounts/:id/keys/search`: the inspector's table. Without `q`, a workspace's keys in
 * `GET /api/v1/keys` order (or its reverse) with their total; with `q`, the keys whose name, label
 * or hash starts with it, case-insensitively, kept right by create, rename and delete.
 */
import { describe, expect, it } from 'vitest';
import { api, buildTestApp, ctl } from '../helpers/build.js';
import type { FastifyInstance } from 'fastify';

interface Page {
  keys: { hash: string; name: string; label: string }[];
  total: number;
  offset: number;
}

const search = async (app: FastifyInstance, query: string): Promise<Page> => {
  const account = (await ctl(app, 'GET', '/accounts')).json().data[0].id;
  const res = await ctl(app, 'GET', `/accounts/${account}/keys/search${query}`);
  expect(res.statusCode).toBe(200);
  return res.json().data;
};

describe('the key search', () => {
  it('lists as GET /keys does (newest first, disabled too), its reverse, and the total', async () => {
    const app = buildTestApp();
    for (let i = 0; i < 5; i++) {
      expect((await api(app, 'POST', '/keys', { name: `made ${i}` })).statusCode).toBe(201);
      await ctl(app, 'POST', '/clock', { advance: 1000 });
    }
    const listed = (await api(app, 'GET', '/keys?include_disabled=true')).json().data.map((k: { hash: string }) => k.hash);
    const page = await search(app, '');
    expect(page.total).toBe(listed.length);
    expect(page.keys.map((k) => k.hash)).toEqual(listed.slice(0, 100));
    expect((await search(app, '?reverse=true')).keys.map((k) => k.hash)).toEqual([...listed].reverse().slice(0, 100));
    expect((await search(app, '?reverse=true&offset=2')).keys.map((k) => k.hash)).toEqual([...listed].reverse().slice(2, 102));
  });

  it('finds by the start of a name (any case), a label or a hash, and follows renames and deletes', async () => {
    const app = buildTestApp();
    const made = [];
    for (const name of ['Acme prod', 'acme staging', 'Beta']) made.push((await api(app, 'POST', '/keys', { name })).json().data);
    expect((await search(app, '?q=ACME')).keys.map((k) => k.name)).toEqual(['Acme prod', 'acme staging']);
    expect((await search(app, '?q=acme&reverse=true')).keys.map((k) => k.name)).toEqual(['acme staging', 'Acme prod']);
    expect((await search(app, '?q=acme&offset=1')).total).toBe(2);
    expect((await search(app, `?q=${made[2].hash.slice(0, 10)}&field=hash`)).keys.map((k) => k.hash)).toEqual([made[2].hash]);
    expect((await search(app, `?q=${encodeURIComponent(made[1].label)}&field=label`)).keys.map((k) => k.hash)).toEqual([made[1].hash]);
    await api(app, 'PATCH', `/keys/${made[0].hash}`, { name: 'Zeta' });
    expect((await search(app, '?q=acme')).keys.map((k) => k.name)).toEqual(['acme staging']);
    expect((await search(app, '?q=zet')).keys.map((k) => k.hash)).toEqual([made[0].hash]);
    await api(app, 'DELETE', `/keys/${made[1].hash}`);
    expect((await search(app, '?q=acme')).total).toBe(0);
    // Bounded input: a query longer than 256 characters is a 400.
    const account = (await ctl(app, 'GET', '/accounts')).json().data[0].id;
    expect((await ctl(app, 'GET', `/accounts/${account}/keys/search?q=${'a'.repeat(257)}`)).statusCode).toBe(400);
  });
});
