// node --test console/tests: the object diff the history pages show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffObjects } from '../src/diff.js';

test('a changed, an added and a removed field, each by its path', () => {
  const before = { spec: { replicas: 2, selector: { app: 'a' } }, metadata: { labels: { x: '1' } } };
  const after = { spec: { replicas: 3, selector: { app: 'a' }, paused: true }, metadata: { labels: {} } };
  assert.deepEqual(diffObjects(before, after), [
    { path: 'spec.replicas', before: 2, after: 3 },
    { path: 'spec.paused', before: undefined, after: true },
    { path: 'metadata.labels.x', before: '1', after: undefined },
  ]);
});

test('the version fields every write changes are not differences', () => {
  const before = { metadata: { resourceVersion: '5', managedFields: [{ a: 1 }], name: 'n' } };
  const after = { metadata: { resourceVersion: '9', managedFields: [{ a: 2 }], name: 'n' } };
  assert.deepEqual(diffObjects(before, after), []);
});

test('from nothing (a creation) every leaf is new; arrays by index', () => {
  assert.deepEqual(diffObjects(undefined, { a: [1] }), [{ path: '', before: undefined, after: { a: [1] } }]);
  assert.deepEqual(diffObjects({ a: [1, 2] }, { a: [1, 3, 4] }), [
    { path: 'a.1', before: 2, after: 3 },
    { path: 'a.2', before: undefined, after: 4 },
  ]);
});
