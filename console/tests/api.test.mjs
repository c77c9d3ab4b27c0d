// node --test console/tests: how the console asks the master again when it is busy (429).
import { test } from 'node:test';
import assert from 'node:assert/strict';

globalThis.sessionStorage = { getItem: () => 'a-token', setItem() {}, removeItem() {} };
globalThis.location = { pathname: '/console/', assign() {} };
const { api, retryDelayMs, ApiError } = await import('../src/api.js');

// A fetch answering `statuses` in turn (the last one again once they run out).
function answering(...statuses) {
  const asked = [];
  globalThis.fetch = async (path, init) => {
    asked.push({ path, method: init.method, auth: init.headers.Authorization });
    const status = statuses[Math.min(asked.length - 1, statuses.length - 1)];
    const body = status === 200 ? '{"ok":true}' : '{"kind":"Status","message":"busy"}';
    return new Response(body, { status, headers: { 'Retry-After': '0.01' } });
  };
  return asked;
}

test('Retry-After in seconds, 1 ms to 10 s, 2 s when absent or not a number', () => {
  assert.equal(retryDelayMs('3'), 3000);
  assert.equal(retryDelayMs('3600'), 10000);
  assert.equal(retryDelayMs(null), 2000);
  assert.equal(retryDelayMs('soon'), 2000);
  assert.equal(retryDelayMs('-1'), 2000);
});

test('a GET answered 429 is asked again, with the token, until it is answered', async () => {
  const asked = answering(429, 429, 200);
  assert.deepEqual(await api('/capstan/v1/state?at=5'), { ok: true });
  assert.equal(asked.length, 3);
  assert.ok(asked.every((a) => a.path === '/capstan/v1/state?at=5' && a.auth === 'Bearer a-token'));
});

test('a GET still busy after three more tries fails with the master\'s message', async () => {
  const asked = answering(429);
  await assert.rejects(api('/capstan/v1/state?at=5'), (e) => e instanceof ApiError && e.status === 429 && e.message === 'busy');
  assert.equal(asked.length, 4);
});

test('a write answered 429 is not sent again', async () => {
  const asked = answering(429, 200);
  await assert.rejects(api('/api/v1/namespaces', { method: 'POST', body: {} }), (e) => e.status === 429);
  assert.equal(asked.length, 1);
});

test('a page left while waiting stops asking', async () => {
  const asked = answering(429, 200);
  const control = new AbortController();
  const pending = api('/capstan/v1/state?at=5', { signal: control.signal });
  control.abort();
  await assert.rejects(pending);
  assert.equal(asked.length, 1);
});
