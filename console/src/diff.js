// What changed between two versions of an object, as a list of leaf paths:
// [{ path: 'spec.replicas', before: 2, after: 3 }]. `before` is undefined for an added field,
// `after` for a removed one. Arrays are compared by index. resourceVersion and managedFields
// change with every write and say nothing to a reader: they are left out.
const ignored = new Set(['metadata.resourceVersion', 'metadata.managedFields', 'metadata.generation']);

function isObject(v) {
  return v !== null && typeof v === 'object';
}

export function diffObjects(before, after, path = '', out = []) {
  if (ignored.has(path)) return out;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const k of keys) diffObjects(before[k], after[k], path ? `${path}.${k}` : k, out);
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
  return out;
}

export function show(value) {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
