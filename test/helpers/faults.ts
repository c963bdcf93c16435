/** Helpers of the fault suites (test/control/faults*.test.ts), for the app or either door. */
import { expect } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { FaultRule } from '../../src/domain/faults.js';
import { ctl, MANAGEMENT_KEY, type DoorResponse, type Target } from './build.js';

export async function addFault(app: Target, spec: unknown): Promise<FaultRule> {
  const res = await ctl(app, 'POST', '/faults', spec);
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { data: FaultRule }).data;
}

export const faultsOf = async (app: Target) => ((await ctl(app, 'GET', '/faults')).json() as { data: FaultRule[] }).data;

/** A request on the API with the management key and optional extra headers. */
export function call(app: Target, method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<DoorResponse> {
  const request = {
    method: method ?? 'GET',
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
  return 'door' in app ? app.inject(request) : app.inject({ ...request, method: request.method as InjectOptions['method'] });
}

/** The body is exactly OpenRouter's error envelope: {error: {code, message, metadata?}}. */
export function expectEnvelope(res: DoorResponse, status: number): { code: number; message: string; metadata?: unknown } {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: { code: number; message: string; metadata?: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).filter((k) => k !== 'metadata')).toEqual(['code', 'message']);
  expect(body.error.code).toBe(status);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}
