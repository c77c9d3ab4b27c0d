// The cluster now, live over the API's watch. Nodes and the figures come from the master's
// summary (fetched again as watched changes arrive); the smaller lists are watched whole; pods
// too while there are at most `podsWatchedWhole` of them, else they are listed a page at a time.
import { useEffect, useState } from 'preact/hooks';
import { ClusterTables } from '../components/ClusterTables.jsx';
import { api } from '../api.js';
import { useLiveList, useLiveSummary } from '../live.js';
import { meta } from '../format.js';

const podsWatchedWhole = 5000;
const pageSize = 500;

// Browsers open at most six HTTP/1.1 connections to one server, and every watch holds one: the
// page keeps four (these two, pods, and nodes for the summary) and leaves two for requests.
const paths = {
  rcs: '/api/v1/replicationcontrollers',
  services: '/api/v1/services',
};

// The pods a page at a time (limit/continue, as kubectl pages): for clusters too big to watch whole.
function usePodPages(enabled) {
  const [state, setState] = useState({ items: [], next: '', error: null, loading: false });
  const load = (token) => {
    setState((s) => ({ ...s, loading: true }));
    api(`/api/v1/pods?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
      .then((list) => setState((s) => ({ items: token ? s.items.concat(list.items) : list.items, next: list.metadata?.continue || '', error: null, loading: false })))
      .catch((error) => setState((s) => ({ ...s, error, loading: false })));
  };
  useEffect(() => {
    if (enabled) load('');
  }, [enabled]);
  return { ...state, more: () => load(state.next) };
}

export function Overview() {
  const [small, setSmall] = useState(undefined); // decided by the first summary
  // In a small cluster the pods' own watch (below) tells the summary of their changes.
  const summary = useLiveSummary(small === false ? ['/api/v1/nodes', '/api/v1/pods'] : ['/api/v1/nodes']);
  // Endpoints and namespaces come with the summary: Services' and RCs' changes refresh it too.
  const lists = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, useLiveList(p, summary.changed)]));
  const total = summary.data?.counts?.pods;
  useEffect(() => {
    if (small !== undefined) return;
    if (total !== undefined) setSmall(total <= podsWatchedWhole);
    // A user who may not read the summary sees the pods the API lets them list: how many?
    else if (summary.error?.status === 403)
      api('/api/v1/pods?limit=1')
        .then((l) => setSmall((l.metadata?.remainingItemCount || 0) + l.items.length <= podsWatchedWhole))
        .catch(() => setSmall(true)); // the pods' own list then says why it is refused
  }, [total, summary.error]);
  const watchedPods = useLiveList(small ? '/api/v1/pods' : null, summary.changed);
  const pages = usePodPages(small === false);
  const pods = small ? watchedPods : pages;
  const errors = [...Object.entries(lists), ['pods', pods], ['summary', summary]].filter(([, l]) => l.error);
  const synced = (summary.data || summary.error?.status === 403) && Object.values(lists).every((l) => l.synced || (l.error && l.error.status === 403));
  return (
    <main>
      <h1>Cluster now</h1>
      <p class="status" aria-live="polite" data-testid="live-status">
        {synced ? 'live: changes appear as they happen' : 'loading…'}
      </p>
      {errors.map(([k, l]) => (
        <p class="error" key={k} role="alert">{k}: {l.error.message}</p>
      ))}
      <ClusterTables
        summary={summary.data}
        rcs={lists.rcs.items}
        services={lists.services.items}
        pods={pods.items}
        podsNote={small !== false ? '' : `${total} pods: the first ${pods.items.length} are listed (by namespace and name); the figures above stay live.`}
        podLink={(p) => `/console/pods/${meta(p).namespace}/${encodeURIComponent(meta(p).name)}`}
      />
      {small === false && pages.next && (
        <button type="button" onClick={pages.more} disabled={pages.loading}>List {pageSize} more pods</button>
      )}
    </main>
  );
}
