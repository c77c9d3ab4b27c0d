// The cluster as tables: nodes, namespaces, replication controllers, services and pods. The same
// component draws the cluster now (from watches) and at a moment of the past (from the journal).
import { useMemo, useState } from 'preact/hooks';
import { VirtualTable } from './VirtualTable.jsx';
import { bytes, cpu, historyLink, meta, nsName, podRestarts } from '../format.js';

const collator = new Intl.Collator('en');

// Objects by namespace/name, the keys made once (not at every comparison).
function byName(list) {
  return list.map((o) => [nsName(o), o]).sort((a, b) => collator.compare(a[0], b[0])).map(([, o]) => o);
}

function Section({ id, title, count, children }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} <span class="count" data-testid={`${id}-count`}>{count}</span>
      </h2>
      {children}
    </section>
  );
}

// `summary`: /capstan/v1/summary's answer (the nodes and the figures). `pods`: the pods to list,
// all of them in a small cluster, else a page (`podsNote` says which); `podLink(pod)`: where a
// pod's name leads (its live page now, its history in the past).
export function ClusterTables({ summary, rcs, services, pods, podsNote, podLink }) {
  const summaryNodes = useMemo(() => (summary?.nodes || []).slice().sort((a, b) => a.name.localeCompare(b.name)), [summary]);
  const phases = summary?.pods?.byPhase || {};
  const namespaces = summary?.namespaces || [];
  const endpoints = summary?.endpoints || {};
  const [filter, setFilter] = useState('');
  const shownPods = useMemo(() => {
    const f = filter.trim();
    return byName(f ? pods.filter((p) => nsName(p).includes(f) || (p.spec?.nodeName || '').includes(f)) : pods);
  }, [pods, filter]);
  const sortedRcs = useMemo(() => byName(rcs), [rcs]);
  const sortedServices = useMemo(() => byName(services), [services]);

  return (
    <div class="tables">
      <Section id="nodes" title="Nodes" count={summaryNodes.length}>
        <VirtualTable
          label="Nodes"
          rows={summaryNodes}
          rowKey={(n) => n.name}
          columns={[
            { title: 'Name', render: (n) => <a href={historyLink('nodes', '', n.name)}>{n.name}</a> },
            { title: 'Ready', width: '80px', render: (n) => (n.ready ? 'Ready' : <span class="bad">NotReady</span>) },
            { title: 'Capacity', render: (n) => `${cpu(n.cpuMilli / 1000)} CPU, ${bytes(n.memoryBytes)}` },
            { title: 'Requested', render: (n) => `${cpu(n.requestedCpuMilli / 1000)} CPU, ${bytes(n.requestedMemoryBytes)}` },
            { title: 'Pods', width: '70px', render: (n) => n.pods },
          ]}
        />
      </Section>
      <Section id="namespaces" title="Namespaces" count={namespaces.length}>
        <ul class="inline-list">
          {namespaces.map((n) => (
            <li key={n.name}>{n.name} <small>{n.phase}, {n.pods} pods</small></li>
          ))}
        </ul>
      </Section>
      <Section id="rcs" title="Replication controllers" count={rcs.length}>
        <VirtualTable
          label="Replication controllers"
          rows={sortedRcs}
          rowKey={nsName}
          columns={[
            { title: 'Name', render: (r) => <a href={historyLink('replicationcontrollers', meta(r).namespace, meta(r).name)}>{nsName(r)}</a> },
            { title: 'Desired', width: '90px', render: (r) => <span data-testid={`rc-desired-${meta(r).name}`}>{r.spec?.replicas ?? 1}</span> },
            { title: 'Current', width: '90px', render: (r) => <span data-testid={`rc-current-${meta(r).name}`}>{r.status?.replicas ?? 0}</span> },
            { title: 'Ready', width: '90px', render: (r) => r.status?.readyReplicas ?? 0 },
          ]}
        />
      </Section>
      <Section id="services" title="Services" count={services.length}>
        <VirtualTable
          label="Services"
          rows={sortedServices}
          rowKey={nsName}
          columns={[
            { title: 'Name', render: (s) => <a href={historyLink('services', meta(s).namespace, meta(s).name)}>{nsName(s)}</a> },
            { title: 'Cluster IP', render: (s) => s.spec?.clusterIP || '—' },
            { title: 'Node ports', render: (s) => (s.spec?.ports || []).filter((p) => p.nodePort).map((p) => `${p.port}:${p.nodePort}`).join(', ') || '—' },
            { title: 'Endpoints', width: '100px', render: (s) => endpoints[nsName(s)] ?? 0 },
          ]}
        />
      </Section>
      <Section id="pods" title="Pods" count={summary?.counts?.pods ?? pods.length}>
        <p class="summary" data-testid="pod-phases">
          {Object.entries(phases).map(([phase, n]) => `${n} ${phase.toLowerCase()}`).join(', ') || 'none'}
          {summary?.pods?.unscheduled ? `; ${summary.pods.unscheduled} not scheduled` : ''}
        </p>
        {podsNote && <p class="status">{podsNote}</p>}
        <label class="filter">
          Filter pods <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="namespace/name or node" />
        </label>
        <VirtualTable
          label="Pods"
          rows={shownPods}
          rowKey={nsName}
          columns={[
            { title: 'Name', width: '2fr', render: (p) => <a href={podLink(p)}>{nsName(p)}</a> },
            { title: 'Phase', render: (p) => (meta(p).deletionTimestamp ? 'Terminating' : p.status?.phase || 'Pending') },
            { title: 'Node', render: (p) => p.spec?.nodeName || '—' },
            { title: 'IP', render: (p) => p.status?.podIP || '—' },
            { title: 'Restarts', width: '80px', render: podRestarts },
          ]}
        />
      </Section>
    </div>
  );
}
