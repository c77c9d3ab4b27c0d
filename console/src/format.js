// Small readers of Kubernetes objects shared by the pages.
export const meta = (o) => o.metadata || {};

export function nsName(o) {
  const m = meta(o);
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

export function podRestarts(pod) {
  return (pod.status?.containerStatuses || []).reduce((n, c) => n + (c.restartCount || 0), 0);
}

export function nodeReady(node) {
  const ready = (node.status?.conditions || []).find((c) => c.type === 'Ready');
  return ready ? ready.status === 'True' : false;
}

// Quantities as Kubernetes writes them ("500m", "2", "1Gi", "128974848") in base units.
export function quantity(text) {
  if (text === undefined || text === null || text === '') return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(text));
  if (!m) return 0;
  const scale = { m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return parseFloat(m[1]) * (scale[m[2]] ?? 1);
}

export function cpu(n) {
  return n >= 1 || n === 0 ? `${+n.toFixed(2)}` : `${Math.round(n * 1000)}m`;
}

export function bytes(n) {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)}Gi`;
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)}Mi`;
  return `${Math.round(n / 1024)}Ki`;
}

// Which sort of actor a journal record's cause is: a node's agent, the control plane's own
// controllers (system:...), or a user.
export function causeClass(cause) {
  if (!cause) return 'controllers';
  if (cause.startsWith('system:node:')) return 'nodes';
  if (cause.startsWith('system:')) return 'controllers';
  return 'users';
}

export function when(rfc3339) {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : d.toLocaleString();
}

// The console's path of an object's history page.
export function historyLink(resource, namespace, name) {
  return `/console/objects/${resource}/${namespace || '-'}/${encodeURIComponent(name)}`;
}
