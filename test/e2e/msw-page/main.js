// The page of test/e2e/msw-browser.test.ts: an app whose own code calls the real API's URL with
// fetch(). `./mocks.ts` is the README's browser example (written next to this file by the test),
// so the worker is running before the first request. Plain JavaScript: the project's type-check
// has no DOM types (the README example is type-checked with them by test/msw/readme-types.test.ts).
import { managementKey, mock } from './mocks.ts';

const hash = new URLSearchParams(location.search).get('hash');
const key = `https://openrouter.ai/api/v1/keys/${hash}`;
const out = {};
try {
  const patched = await fetch(key, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${managementKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Renamed in the browser', limit: 42 }),
  });
  out.patchStatus = patched.status;
  out.patched = (await patched.json()).data;
  const read = await fetch(key, { headers: { Authorization: `Bearer ${managementKey}` } });
  out.readStatus = read.status;
  out.read = (await read.json()).data;
  out.mockServer = read.headers.get('x-mock-server');
  // The mock's journal lives in the page, with the state.
  out.journal = (await mock.requests()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
} catch (error) {
  out.error = String(error);
}
document.getElementById('out').textContent = JSON.stringify(out);
