// The cluster at any moment of its journal: a timeline, a slider over sequence numbers and a
// date-time field; the moment's state is rebuilt by the master (the same apply as at restart).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ClusterTables } from '../components/ClusterTables.jsx';
import { Timeline } from '../components/Timeline.jsx';
import { useJson } from '../live.js';
import { historyLink, meta, when } from '../format.js';

const kinds = { ReplicationController: 'rcs', Service: 'services', Pod: 'pods' };
const listed = 5000; // objects of a kind listed at a past moment (the figures count them all)

export function TimeTravel() {
  const { query, route } = useLocation();
  const timeline = useJson('/capstan/v1/timeline?buckets=120');
  const last = timeline.data?.last?.seq || 0;
  // The moment the address names: a record (at=), a time (time=: the master finds its record),
  // or, with neither, the journal's end.
  const moment = query.at ? `at=${encodeURIComponent(query.at)}`
    : query.time ? `time=${encodeURIComponent(query.time)}`
    : last ? `at=${last}` : null;
  const state = useJson(moment ? `/capstan/v1/state?${moment}&compact=true&summary=true&limitPerKind=${listed}&kind=replicationcontrollers,services,pods` : null);
  const at = Number(state.data?.metadata?.resourceVersion) || Number(query.at) || last;
  const [slider, setSlider] = useState(at);
  const [time, setTime] = useState('');
  useEffect(() => setSlider(at), [at]);
  const grouped = useMemo(() => {
    const g = { rcs: [], services: [], pods: [] };
    for (const o of state.data?.items || []) if (kinds[o.kind]) g[kinds[o.kind]].push(o);
    return g;
  }, [state.data]);
  // The slider replaces the address (moving it is not a trail of pages to go back through).
  const go = (seq, replace = false) => route(`/console/history?at=${seq}`, replace);
  const goTime = (e) => {
    e.preventDefault();
    const d = new Date(time);
    if (!time || Number.isNaN(d.getTime())) return;
    route(`/console/history?time=${encodeURIComponent(d.toISOString().replace(/\.\d+Z$/, 'Z'))}`);
  };
  return (
    <main>
      <h1>Time travel</h1>
      {timeline.error && <p class="error" role="alert">{timeline.error.message}</p>}
      {timeline.data && <Timeline timeline={timeline.data} selectedSeq={at} onPick={(seq) => go(seq)} />}
      <div class="moment">
        <label for="seq">Journal record</label>
        <input id="seq" type="range" min="1" max={last || 1} value={slider}
          onInput={(e) => setSlider(Number(e.currentTarget.value))}
          onChange={(e) => go(Number(e.currentTarget.value), true)} />
        <output for="seq" data-testid="moment-seq">{slider}</output> of {last}
        <form onSubmit={goTime} class="inline">
          <label for="when">or the moment</label>
          <input id="when" type="datetime-local" step="1" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
          <button type="submit">Go</button>
        </form>
      </div>
      {state.loading && <p class="status">rebuilding the cluster…</p>}
      {state.error && <p class="error" role="alert">{state.error.message}</p>}
      {state.data && state.data.metadata.resourceVersion === '0' && (
        <p class="status">That moment is before the journal's first record: the cluster was empty.</p>
      )}
      {state.data && (
        <>
          <p class="status" data-testid="moment-status">
            The cluster right after record {state.data.metadata.resourceVersion}
            {state.data.metadata.time ? ` (${when(state.data.metadata.time)})` : ''}, rebuilt in {Math.round(state.ms)} ms.
          </p>
          <ClusterTables {...grouped} summary={state.data.summary}
            podsNote={state.data.metadata.limitedKinds?.pods ? `the first ${listed} of ${state.data.metadata.limitedKinds.pods} pods are listed` : ''}
            podLink={(p) => historyLink('pods', meta(p).namespace, meta(p).name)} />
        </>
      )}
    </main>
  );
}
