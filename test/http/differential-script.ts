/**
 * The differential test's script: requests as a client would send them, the same for every door.
 * A step may be a function of what the door answered to earlier steps (a created key's hash, a new
 * account's management key), read from that door's own answers, never from another door's.
 */
import { DOCS_HASH, LOCAL_DEV_KEY, MANAGEMENT_KEY, TEST_NOW } from '../helpers/build.js';

export interface Step {
  method: string;
  /** A path with its query string: `/api/v1/keys?offset=1`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as bytes: nothing implies a `Content-Type` the step did not set. */
  body?: string;
}

/** What earlier steps were answered, by label. */
export interface Answers {
  json(label: string): any; // any: a script reads answers loosely
}

export type ScriptEntry = { label?: string; step: Step | ((answers: Answers) => Step) };

const JSON_TYPE = { 'content-type': 'application/json' };
const auth = (token = MANAGEMENT_KEY) => ({ authorization: `Bearer ${token}` });
const API = '/api/v1';
const KEY = `${API}/keys/${DOCS_HASH}`;
const UNKNOWN_HASH = 'a'.repeat(64);

const get = (path: string, token = MANAGEMENT_KEY, headers: Record<string, string> = {}): Step => ({
  method: 'GET',
  path,
  headers: { ...auth(token), ...headers },
});
const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Step => ({
  method,
  path,
  headers: { ...auth(), ...JSON_TYPE, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const control = (method: string, path: string, body?: unknown): Step => ({
  method,
  path: `/__mock${path}`,
  ...(body === undefined ? {} : { headers: JSON_TYPE, body: typeof body === 'string' ? body : JSON.stringify(body) }),
});

const chat = (key: string, body: unknown): Step => send('POST', `${API}/chat/completions`, body, { authorization: `Bearer ${key}` });
const UNKNOWN_KEY = `sk-or-v1-${'0'.repeat(64)}`;

const step = (s: Step | ((answers: Answers) => Step), label?: string): ScriptEntry => (label ? { label, step: s } : { step: s });

/** The main script: every operation, every error status, the control plane. */
export const SCRIPT: ScriptEntry[] = [
  // The clock stands still from here on, so that every timestamp is the same on every door.
  step(control('POST', '/clock', { now: TEST_NOW, frozen: true })),
  step(control('GET', '/clock')),
  // The six operations.
  step(get(`${API}/keys`)),
  step(get(`${API}/keys?include_disabled=true`)),
  step(get(`${API}/keys?offset=3&include_disabled=false`)),
  step(get(KEY)),
  step(send('PATCH', KEY, { name: 'Updated API Key Name', disabled: false, limit: 75, limit_reset: 'daily', include_byok_in_limit: true })),
  step(send('POST', `${API}/keys`, { name: 'Created', limit: 10, limit_reset: 'weekly', expires_at: '2027-01-01T00:00:00Z' }), 'created'),
  step((a) => get(`${API}/keys/${a.json('created').data.hash}`)),
  step((a) => get(`${API}/key`, a.json('created').key)),
  step((a) => ({ method: 'DELETE', path: `${API}/keys/${a.json('created').data.hash}`, headers: auth() })),
  step((a) => get(`${API}/key`, a.json('created').key)),
  step(get(`${API}/key`)),
  step(get(`${API}/key`, LOCAL_DEV_KEY)),
  step({ method: 'HEAD', path: `${API}/keys`, headers: auth() }),
  // The models: open to anyone, as OpenRouter's list is; a credential changes nothing.
  step({ method: 'GET', path: `${API}/models` }),
  step(get(`${API}/models`, LOCAL_DEV_KEY)),
  step({ method: 'HEAD', path: `${API}/models` }),
  // Inference: a key with a daily limit of $1, a rule that costs $0.40 twice, plain and streamed.
  step(send('POST', `${API}/keys`, { name: 'Chatter', limit: 1, limit_reset: 'daily' }), 'chatter'),
  step(control('POST', '/completions', { match: { model: 'openai/gpt-4o-mini' }, content: 'Hello from the mock.', cost: 0.4, times: 2 })),
  step(control('GET', '/completions')),
  step({ method: 'HEAD', path: '/__mock/completions' }),
  step((a) => chat(a.json('chatter').key, { messages: [{ role: 'user', content: 'Hi' }] }), 'chat'),
  step((a) => chat(a.json('chatter').key, { stream: true, model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })),
  // $0.20 left: the next fits no longer (402), nothing charged.
  step((a) => chat(a.json('chatter').key, { max_tokens: 100000, messages: [{ role: 'user', content: 'Hi' }] })),
  step((a) => get(`${API}/keys/${a.json('chatter').data.hash}`)),
  step((a) => get(`${API}/generation?id=${a.json('chat').id}`, a.json('chatter').key)),
  step((a) => ({ method: 'HEAD', path: `${API}/generation?id=${a.json('chat').id}`, headers: auth(a.json('chatter').key) })),
  step(get(`${API}/generation?id=gen-1-unknown`)),
  step(get(`${API}/generation`)),
  step(get(`${API}/credits`)),
  step({ method: 'HEAD', path: `${API}/credits`, headers: auth() }),
  step(get(`${API}/credits`, LOCAL_DEV_KEY)),
  step(control('GET', '/accounts'), 'accounts'),
  step((a) => control('GET', `/accounts/${a.json('accounts').data[0].id}/credits`)),
  step((a) => ({ method: 'HEAD', path: `/__mock/accounts/${a.json('accounts').data[0].id}/credits` })),
  step((a) => control('POST', `/accounts/${a.json('accounts').data[0].id}/credits`, { total_credits: 0 })),
  step((a) => chat(a.json('chatter').key, { messages: [{ role: 'user', content: 'No credits' }] })),
  step((a) => control('GET', `/keys/${a.json('chatter').data.hash}/admission`)),
  step((a) => ({ method: 'HEAD', path: `/__mock/keys/${a.json('chatter').data.hash}/admission` })),
  step((a) => ({ method: 'HEAD', path: `/__mock/accounts/${a.json('accounts').data[0].id}/keys/search?q=a` })),
  step((a) => control('GET', `/accounts/${a.json('accounts').data[0].id}/keys/search?q=a&field=name`)),
  step((a) => control('GET', `/accounts/${a.json('accounts').data[0].id}/keys/search?reverse=true`)),
  step((a) => control('POST', `/accounts/${a.json('accounts').data[0].id}/credits`, { total_credits: 100, total_usage: 0 })),
  step((a) => control('POST', `/accounts/${a.json('accounts').data[0].id}/credits`, {})),
  step(chat(MANAGEMENT_KEY, { messages: [{ role: 'user', content: 'A management key' }] })),
  step(chat(UNKNOWN_KEY, { messages: [{ role: 'user', content: 'An unknown key' }] })),
  step((a) => chat(a.json('chatter').key, { model: 'no/such-model', messages: [{ role: 'user', content: 'x' }] })),
  step((a) => chat(a.json('chatter').key, {})),
  step(control('POST', '/completions', { times: 1 }), 'rule'),
  step((a) => control('DELETE', `/completions/${a.json('rule').data.id}`)),
  step(control('DELETE', '/completions/completion_999')),
  step(control('DELETE', '/completions')),
  // PATCH bodies.
  step(send('PATCH', KEY, {})),
  step(send('PATCH', KEY, { usage: 1, hash: 'f'.repeat(64), limitReset: 'weekly', name: 'Only this' })),
  step(send('PATCH', KEY, { limit: '75' })),
  step(send('PATCH', KEY, { name: 'x', limit: -5 })),
  step(send('PATCH', KEY, '{"limit":1e400}')),
  step(send('PATCH', KEY, '[]')),
  step(send('PATCH', KEY, 'null')),
  step(send('PATCH', KEY, '{"name": "trailing",}')),
  step(send('PATCH', KEY, '{"__proto__":{"admin":true},"name":"proto"}')),
  step(send('PATCH', KEY, '{"constructor":{"prototype":{"x":1}}}')),
  step(send('PATCH', KEY, '')),
  step(send('PATCH', KEY, '\uFEFF{"name":"with a BOM"}')),
  step(send('PATCH', KEY, { name: 'typed' }, { 'content-type': 'Application/JSON; charset=UTF-8' })),
  step(send('PATCH', KEY, { name: 'Clé privée ✓' }, { 'content-type': 'application/json; charset=iso-8859-1' })),
  step(send('PATCH', KEY, '{"name":"\uD800 lone surrogate"}')),
  step(send('PATCH', KEY, { name: 'plain' }, { 'content-type': 'text/plain' })),
  step(send('PATCH', KEY, { name: 'form' }, { 'content-type': 'application/x-www-form-urlencoded' })),
  step({ method: 'PATCH', path: KEY, headers: auth(), body: '{"name":"no type"}' }),
  step(send('PATCH', KEY, { name: 'x'.repeat(5000) })),
  step(send('POST', `${API}/keys`, { name: 'y', note: 'z'.repeat(6000) })),
  step(send('POST', `${API}/keys`, {})),
  step(send('POST', `${API}/keys`, { name: 'x', expires_at: '2020-01-01T00:00:00Z' })),
  step(send('POST', `${API}/keys`, { name: 'x', workspace_id: 'nope' })),
  step({ method: 'DELETE', path: KEY.replace(DOCS_HASH, UNKNOWN_HASH), headers: { ...auth(), ...JSON_TYPE } }),
  // Auth.
  step({ method: 'GET', path: `${API}/keys` }),
  step(get(`${API}/keys`, 'x'.repeat(20))),
  step({ method: 'GET', path: `${API}/keys`, headers: { authorization: 'Basic abc' } }),
  step({ method: 'GET', path: `${API}/keys`, headers: { authorization: `bearer ${MANAGEMENT_KEY}` } }),
  step(get(`${API}/keys`, LOCAL_DEV_KEY)),
  step({ method: 'GET', path: `${API}/keys`, headers: { authorization: `Bearer  ${MANAGEMENT_KEY}` } }),
  step({ method: 'GET', path: `${API}/keys`, headers: { authorization: `  BEARER ${MANAGEMENT_KEY}  ` } }),
  step({ method: 'GET', path: `${API}/keys`, headers: { authorization: `Bearer ${MANAGEMENT_KEY.toUpperCase()}` } }),
  step({ method: 'PATCH', path: KEY, headers: JSON_TYPE, body: '{not json' }),
  // Routing and the URL.
  step(get(`${API}/keys/${UNKNOWN_HASH}`)),
  step(get(`${API}/keys/${'b'.repeat(101)}`)),
  step(get(`${API}/keys/${'b'.repeat(100)}`)),
  step(get(`${API}/keys/%E0%A4%A`)),
  step(get(`${API}/keys/%zz`)),
  step(get(`${API}/keys/`)),
  step(get(`${API}/nope`)),
  step({ method: 'GET', path: `${API}/nope` }),
  step({ method: 'PUT', path: KEY, headers: auth() }),
  step(get('/elsewhere')),
  step(get(`${API}/keys?offset=-1`)),
  step(get(`${API}/keys?offset=abc`)),
  step(get(`${API}/keys?offset=1.5`)),
  step(get(`${API}/keys?include_disabled=maybe`)),
  step(get(`${API}/keys?offset=1&offset=2`)),
  step(get(`${API}/keys?workspace_id=11111111-1111-4111-8111-111111111111`)),
  step(get(`${API}/keys?include_disabled=true&offset=20&unknown=1`)),
  step(get(`${API}/keys?offset=%zz`)),
  step(get(`${API}/keys?include_disabled=%74rue`)),
  step(get(`${API}/keys?`)),
  step(get(`${API}/%6Beys/${DOCS_HASH}`)),
  step(get(`${API}/keys/${DOCS_HASH}%2Fx`)),
  step(get(`${API}//keys`)),
  step(get('/API/V1/KEYS')),
  step(get(`${API}/keys`, MANAGEMENT_KEY, JSON_TYPE)),
  step(send('DELETE', KEY.replace(DOCS_HASH, UNKNOWN_HASH), {})),
  step(send('DELETE', KEY.replace(DOCS_HASH, UNKNOWN_HASH), 'not json')),
  step(control('POST', '/scenarios/near-limit', {})),
  step(control('POST', '/scenarios/nope', {})),
  step(control('POST', '/scenarios/default', { seed: 7 })),
  step(control('GET', '/state')),
  // X-Mock-Response.
  step(get(`${API}/keys`, MANAGEMENT_KEY, { 'x-mock-response': 'status=429; retry_after=7; message=Slow down' })),
  step(get(`${API}/keys`, MANAGEMENT_KEY, { 'x-mock-response': 'status=503' })),
  step(get(`${API}/keys`, MANAGEMENT_KEY, { 'x-mock-response': 'status=abc' })),
  step(get(`${API}/keys`, MANAGEMENT_KEY, { 'x-mock-response': 'fault=reset' })),
  // Fault rules.
  step(control('POST', '/faults', { match: { method: 'GET', path: '/keys' }, status: 429, times: 1 })),
  step(control('POST', '/faults', { match: { method: 'PATCH', path: '/keys/*' }, status: 500, times: 2, body: 'boom' })),
  step(control('POST', '/faults', { match: { path: '/key' }, status: 502, body: { error: { message: 'upstream', metadata: { a: 1 } } }, times: 1, delay_ms: 2 })),
  step(control('POST', '/faults', { match: { method: 'DELETE', path: '/keys/*' }, fault: 'reset', times: 1 })),
  step(control('POST', '/faults', { match: { path: 'keys' }, status: 500 })),
  step(control('POST', '/faults', { match: { method: 'PUT' }, status: 500 })),
  step(control('GET', '/faults')),
  step({ method: 'HEAD', path: '/__mock/faults' }),
  step(control('POST', '/faults', { match: { path: '/keys' }, status: 418 }), 'removed fault'),
  step((a) => control('PATCH', `/faults/${a.json('removed fault').data.id}`, { enabled: false, status: 503, delay_ms: null })),
  step((a) => control('PATCH', `/faults/${a.json('removed fault').data.id}`, { match: { path: '/__mock' } })),
  step((a) => control('DELETE', `/faults/${a.json('removed fault').data.id}`)),
  step(control('DELETE', '/faults/nope')),
  step(get(`${API}/keys`)),
  step(get(`${API}/keys`)),
  step(send('PATCH', KEY, { name: 'faulted' })),
  step(send('PATCH', KEY, { name: 5 })),
  step(send('PATCH', KEY, { name: 'through' })),
  step(get(`${API}/key`)),
  step({ method: 'DELETE', path: KEY, headers: auth() }),
  step({ method: 'PATCH', path: KEY, body: '{}' }),
  step(control('DELETE', '/faults')),
  // The clock and usage.
  step(control('POST', '/clock', { advance: '1d12h30m' })),
  step(control('POST', '/clock', { advance: 'soon' })),
  step(control('POST', '/clock', { now: '2026-02-01T00:00:00Z', frozen: true })),
  step(control('POST', `/keys/${DOCS_HASH}/usage`, { amount: 12.5, byok: 3 })),
  step(control('POST', `/keys/${DOCS_HASH}/usage`, { amount: -1 })),
  step(control('POST', `/keys/${UNKNOWN_HASH}/usage`, { amount: 1 })),
  step(get(KEY)),
  // Accounts.
  step(control('POST', '/accounts', { scenario: 'near-limit', seed: 3 }), 'account'),
  step((a) => get(`${API}/keys`, a.json('account').data.management_key)),
  step((a) => send('POST', `${API}/keys`, { name: 'theirs' }, auth(a.json('account').data.management_key))),
  step((a) => get(KEY, a.json('account').data.management_key)),
  step(control('GET', '/accounts')),
  step({ method: 'HEAD', path: '/__mock/accounts' }),
  step((a) => control('GET', `/accounts/${a.json('account').data.id}/management-key`)),
  step((a) => ({ method: 'HEAD', path: `/__mock/accounts/${a.json('account').data.id}/management-key` })),
  step((a) => control('GET', `/accounts/${a.json('account').data.id}/keys`)),
  step((a) => ({ method: 'HEAD', path: `/__mock/accounts/${a.json('account').data.id}/keys` })),
  step(control('GET', '/accounts/nope/keys')),
  step((a) => control('DELETE', `/accounts/${a.json('account').data.id}`)),
  step((a) => get(`${API}/keys`, a.json('account').data.management_key)),
  // State import errors.
  step(control('PUT', '/state', {})),
  step(control('PUT', '/state', [])),
  step(control('PUT', '/state', { accounts: [{}] })),
  step(control('PUT', '/state', '{"accounts":')),
  step({ method: 'PUT', path: '/__mock/state', body: '{}' }),
  // The journal.
  step(control('GET', '/requests')),
  step(control('GET', '/requests?method=PATCH')),
  step(control('GET', '/requests?status=404&limit=2')),
  step(control('GET', '/requests?path=/api/v1/keys*&limit=5')),
  step(control('GET', `/requests?hash=${DOCS_HASH}`)),
  step(control('GET', '/requests?limit=abc')),
  step(control('GET', '/requests?since=2026-01-20T00:00:00Z')),
  step(control('GET', '/requests?since=yesterday')),
  step(control('DELETE', '/requests')),
  // Reset, and the clock frozen again.
  step(control('POST', '/reset')),
  step(control('POST', '/clock', { now: TEST_NOW, frozen: true })),
  step(get(KEY)),
  step(control('GET', '/requests')),
  step(control('GET', '/nope')),
  // The routes a script meets only here: HEAD twins, health, scenarios, the event stream's headers.
  step({ method: 'HEAD', path: KEY, headers: auth() }),
  step({ method: 'HEAD', path: `${API}/key`, headers: auth() }),
  step(control('GET', '/health')),
  step({ method: 'HEAD', path: '/__mock/health' }),
  step({ method: 'HEAD', path: '/__mock/state' }),
  step(control('GET', '/scenarios')),
  step({ method: 'HEAD', path: '/__mock/scenarios' }),
  step({ method: 'HEAD', path: '/__mock/clock' }),
  step({ method: 'HEAD', path: '/__mock/requests' }),
  step({ method: 'HEAD', path: '/__mock/events' }),
];

/** The smaller run, with `strict` and an admin token. */
export const STRICT_SCRIPT: ScriptEntry[] = [
  step({ ...control('POST', '/clock', { now: TEST_NOW, frozen: true }), headers: { ...JSON_TYPE, ...auth('admin-token-1') } }),
  step(control('GET', '/clock')),
  step({ method: 'GET', path: '/__mock/clock', headers: auth('wrong-token-1') }),
  step(send('PATCH', KEY, { name: 'x', usage: 1 })),
  step(send('PATCH', KEY, { limitReset: 'weekly' })),
  step(send('PATCH', KEY, { name: 'strict ok' })),
  step(send('POST', `${API}/keys`, { name: 'x', external: { user: 'u', extra: 1 } })),
  step(send('POST', `${API}/keys`, { name: 'strict new' })),
  step({ method: 'GET', path: '/__mock/requests', headers: auth('admin-token-1') }),
  // The event stream's GET, refused without the token: an answer that ends, so it can be compared.
  step({ method: 'GET', path: '/__mock/events' }),
  step({ method: 'GET', path: '/__mock/events', headers: auth('wrong-token-1') }),
];
