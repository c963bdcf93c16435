import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MANAGEMENT_KEY, resolveConfig, type MockOptions } from '../../src/config.js';
import { createHandle, type MockHandle } from '../../src/control/handle.js';
import { createInProcessMock } from '../../src/in-process-mock.js';
import type { MockRuntime } from '../../src/mock-runtime.js';
import type { EmbeddedOptions } from '../../src/options.js';
import { createMockRuntime } from '../../src/runtime.js';

/** A fixed clock for tests: a Wednesday, mid-month, so every usage window is distinct. */
export const TEST_NOW = '2026-01-14T12:00:00.000Z';
/** OpenRouter's documentation example key, in the embedded fixtures. */
export const DOCS_HASH = 'f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943';
/** The plaintext of the "Local development" fixture key (an ordinary, non-management key). */
export const LOCAL_DEV_KEY = `sk-or-v1-${'feedface'.repeat(8)}`;
export const MANAGEMENT_KEY = DEFAULT_MANAGEMENT_KEY;

/**
 * Builds the app exactly as production does (resolveConfig → buildApp), silent, and closes it when
 * the test ends. The clock starts at TEST_NOW and stands still (its real-time source is frozen),
 * so timestamps written by the server are exact.
 */
export function buildTestApp(options: MockOptions = {}): FastifyInstance {
  const config = resolveConfig({ logLevel: 'silent', now: TEST_NOW, ...options });
  const app = buildApp(config, createMockRuntime(config, () => 0));
  onTestFinished(() => app.close());
  return app;
}

export const bearer = (token: string = MANAGEMENT_KEY) => ({ authorization: `Bearer ${token}` });

/** The Fastify app, or a mock behind either door (buildTestDoor). */
export type Target = FastifyInstance | TestDoor;
type TargetResponse<T extends Target> = T extends TestDoor ? DoorResponse : LightMyRequestResponse;

function send<T extends Target>(target: T, request: DoorRequest): Promise<TargetResponse<T>> {
  const sent = isDoor(target) ? target.inject(request) : target.inject({ ...request, method: request.method as InjectOptions['method'] });
  return sent as Promise<TargetResponse<T>>;
}
const isDoor = (target: Target): target is TestDoor => typeof (target as Partial<TestDoor>).door === 'string';

/** `inject` with the management key and a JSON body. */
export function api<T extends Target>(
  app: T,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  token: string = MANAGEMENT_KEY,
): Promise<TargetResponse<T>> {
  return send(app, {
    method: method ?? 'GET',
    url: `/api/v1${url}`,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** `inject` on the test-control plane (`/__mock…`): a JSON body (a string is sent as is) and extra headers. */
export function ctl<T extends Target>(
  app: T,
  method: InjectOptions['method'],
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<TargetResponse<T>> {
  return send(app, {
    method: method ?? 'GET',
    url: `/__mock${path}`,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** The OpenRouter error envelope of a response; fails the test if it is not that shape. */
export function errorOf(response: { json(): unknown; body: string }): { code: number; message: string } {
  const body = response.json() as { error?: { code?: unknown; message?: unknown } };
  if (!body.error || typeof body.error.code !== 'number' || typeof body.error.message !== 'string' || Object.keys(body).length !== 1) {
    throw new Error(`not an OpenRouter error envelope: ${response.body}`);
  }
  return body.error as { code: number; message: string };
}

// ---------------------------------------------------------------------------------------------
// Doors: the same suite against the Fastify server and the in-process fetch handler.

/** The doors a suite can run against: the Fastify app (through `inject`) and the fetch handler. */
export type Door = 'server' | 'fetch';
export const DOORS: readonly Door[] = ['server', 'fetch'];

/** A request as `app.inject` takes it (the subset the suites use). */
export interface DoorRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; no `Content-Type` is implied by it. */
  payload?: string | undefined;
}

/** A response as `app.inject` gives it: status, lower-case headers, the body as text. */
export interface DoorResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** As `inject`'s: the body parsed, typed by the caller. */
  json<T = any>(): T; // any: inject's own signature
}

/** One mock behind one door, with its test handle. */
export interface TestDoor {
  door: Door;
  /** `inject`'s shape, so that suites written for `app.inject` run on either door. */
  inject(request: DoorRequest): Promise<DoorResponse>;
  request(method: string, url: string, init?: { headers?: Record<string, string>; body?: string }): Promise<DoorResponse>;
  handle: MockHandle;
  /** The runtime behind the door (store, clock, journal, faults), as the app's `app.mock`. */
  mock: MockRuntime;
  managementKey: string;
  close(): Promise<void>;
}

/**
 * The fetch handler, wired as `createMockFetch` wires it, but with the clock's real-time source
 * frozen as buildTestApp freezes it, so that timestamps are exact on this door too (reset puts the
 * clock back to a running state, which then still stands still).
 */
function buildFetchMock(options: MockOptions) {
  const { logLevel: _ignored, ...embedded } = { now: TEST_NOW, ...options };
  const { mock, door, runtime } = createInProcessMock(embedded as EmbeddedOptions, 'createMockFetch', { realNow: () => 0 });
  return { handle: mock, config: mock.config, runtime, fetch: (input: string, init?: RequestInit) => door.answer(new Request(new URL(input, 'http://localhost'), init)) };
}

/** Builds a mock behind `door`, closed when the test ends. Options as buildTestApp takes them. */
export function buildTestDoor(door: Door, options: MockOptions = {}): TestDoor {
  let inject: (request: DoorRequest) => Promise<DoorResponse>;
  let handle: MockHandle;
  let mock: MockRuntime;
  let managementKey: string;
  let close = async () => {};
  if (door === 'server') {
    const app = buildTestApp(options);
    inject = async (request) => app.inject({ ...request, method: request.method as InjectOptions['method'] });
    handle = createHandle(app);
    mock = app.mock;
    managementKey = app.mock.config.managementKey[0]!;
    close = () => app.close();
  } else {
    const built = buildFetchMock(options);
    handle = built.handle;
    mock = built.runtime;
    managementKey = built.config.managementKey[0]!;
    const encoder = new TextEncoder();
    inject = async ({ method, url, headers = {}, payload }) => {
      // Bytes, not a string: fetch would add `text/plain` to a string body that has no type.
      const res = await built.fetch(url, { method, headers, ...(payload === undefined ? {} : { body: encoder.encode(payload) }) });
      const body = await res.text();
      const all: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        all[name] = value;
      });
      return { statusCode: res.status, headers: all, body, json: <T>() => JSON.parse(body) as T };
    };
  }
  return {
    door,
    inject,
    request: (method, url, init = {}) => inject({ method, url, ...(init.headers ? { headers: init.headers } : {}), payload: init.body }),
    handle,
    mock,
    managementKey,
    close,
  };
}
