// One pod, live: its containers, the events about it, and a container's log as it is written.
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { streamText } from '../api.js';
import { useLiveList } from '../live.js';
import { historyLink, when } from '../format.js';

const maxLogChars = 256 * 1024; // the newest part of a log stays on the page

function containerState(status) {
  const s = status?.state || {};
  if (s.running) return `running since ${when(s.running.startedAt)}`;
  if (s.waiting) return `waiting: ${s.waiting.reason || ''}`;
  if (s.terminated) return `terminated: ${s.terminated.reason || ''} (exit ${s.terminated.exitCode})`;
  return 'unknown';
}

function Logs({ namespace, name, containers }) {
  const [container, setContainer] = useState(containers[0] || '');
  const [text, setText] = useState('');
  const [state, setState] = useState('');
  useEffect(() => {
    if (!containers.includes(container) && containers.length) setContainer(containers[0]);
  }, [containers.join(',')]);
  useEffect(() => {
    if (!container) return undefined;
    setText('');
    setState('following');
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?container=${encodeURIComponent(container)}&follow=true&tailLines=1000`;
    return streamText(path, {
      onText: (t) => setText((old) => (old + t).slice(-maxLogChars)),
      onEnd: () => setState('ended'),
      onError: (e) => setState(`no log: ${e.message}`),
    });
  }, [namespace, name, container]);
  return (
    <section aria-labelledby="logs">
      <h2 id="logs">Log</h2>
      <label>
        Container{' '}
        <select value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
          {containers.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>{' '}
      <span class="status">{state}</span>
      <pre class="log" tabIndex={0} aria-label="container log">{text}</pre>
    </section>
  );
}

export function Pod() {
  const { params } = useRoute();
  const { namespace, name } = params;
  const decoded = name; // preact-iso gives the parameters decoded
  const selector = `fieldSelector=${encodeURIComponent(`metadata.name=${decoded}`)}`;
  const pods = useLiveList(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?${selector}`);
  const events = useLiveList(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${decoded}`)}`);
  const pod = pods.items[0];
  const statuses = new Map((pod?.status?.containerStatuses || []).map((s) => [s.name, s]));
  const containers = (pod?.spec?.containers || []).map((c) => c.name);
  return (
    <main>
      <h1>Pod {namespace}/{decoded}</h1>
      <p><a href={historyLink('pods', namespace, decoded)}>History of this pod</a></p>
      {pods.error && <p class="error" role="alert">{pods.error.message}</p>}
      {pods.synced && !pod && <p class="error" role="alert">This pod does not exist now. Its history may tell what became of it.</p>}
      {pod && (
        <>
          <dl class="facts">
            <dt>Phase</dt><dd data-testid="pod-phase">{pod.status?.phase || 'Pending'}</dd>
            <dt>Node</dt><dd>{pod.spec?.nodeName || '—'}</dd>
            <dt>IP</dt><dd>{pod.status?.podIP || '—'}</dd>
            <dt>Created</dt><dd>{when(pod.metadata?.creationTimestamp)}</dd>
          </dl>
          <section aria-labelledby="containers">
            <h2 id="containers">Containers</h2>
            <table>
              <thead><tr><th>Name</th><th>Image</th><th>Ready</th><th>Restarts</th><th>State</th></tr></thead>
              <tbody>
                {pod.spec.containers.map((c) => {
                  const s = statuses.get(c.name);
                  return (
                    <tr key={c.name}>
                      <td>{c.name}</td><td>{c.image}</td><td>{s?.ready ? 'yes' : 'no'}</td>
                      <td>{s?.restartCount ?? 0}</td><td>{containerState(s)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="events">
            <h2 id="events">Events</h2>
            {events.error ? <p class="error">{events.error.message}</p> : (
              <table>
                <thead><tr><th>Last seen</th><th>Type</th><th>Reason</th><th>Message</th><th>Count</th></tr></thead>
                <tbody>
                  {events.items.slice().sort((a, b) => String(a.lastTimestamp).localeCompare(String(b.lastTimestamp))).map((e) => (
                    <tr key={e.metadata.name}>
                      <td>{when(e.lastTimestamp || e.eventTime)}</td><td>{e.type}</td><td>{e.reason}</td><td>{e.message}</td><td>{e.count ?? 1}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <Logs namespace={namespace} name={decoded} containers={containers} />
        </>
      )}
    </main>
  );
}
