// "What changed between T1 and T2?": the objects added, removed and changed between two moments
// of the journal (sequence numbers or date-times), each change as a field diff.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { FieldDiff } from '../components/ChangeList.jsx';
import { useJson } from '../live.js';
import { historyLink, meta, nsName, when } from '../format.js';

function moment(text) {
  if (/^\d+$/.test(text)) return `seq=${text}`;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? '' : `time=${encodeURIComponent(d.toISOString().replace(/\.\d+Z$/, 'Z'))}`;
}

const resource = (o) => (o.kind === 'Endpoints' ? 'endpoints' : `${String(o.kind).toLowerCase()}s`);

export function Diff() {
  const { query, route } = useLocation();
  const [from, setFrom] = useState(query.from || '');
  const [to, setTo] = useState(query.to || '');
  const a = query.from && moment(query.from);
  const b = query.to && moment(query.to);
  const path = a && b ? `/capstan/v1/diff?from${a.startsWith('seq') ? 'Seq' : 'Time'}=${a.split('=')[1]}&to${b.startsWith('seq') ? 'Seq' : 'Time'}=${b.split('=')[1]}` : null;
  const diff = useJson(path);
  const submit = (e) => {
    e.preventDefault();
    route(`/console/diff?from=${encodeURIComponent(from.trim())}&to=${encodeURIComponent(to.trim())}`);
  };
  const d = diff.data;
  return (
    <main>
      <h1>What changed between two moments?</h1>
      <form onSubmit={submit} class="inline">
        <label for="from">From (record number or date-time)</label>
        <input id="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required placeholder="1200 or 2026-12-06T08:00:00" />
        <label for="to">to</label>
        <input id="to" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
        <button type="submit">Compare</button>
      </form>
      {diff.loading && <p class="status">comparing…</p>}
      {diff.error && <p class="error" role="alert">{diff.error.message}</p>}
      {d && (
        <>
          <p class="status">
            From record {d.from.seq} ({when(d.from.time)}) to {d.to.seq} ({when(d.to.time)}): {d.added.length} added,{' '}
            {d.removed.length} removed, {d.changed.length} changed{d.truncated ? ' (the first shown)' : ''}; {Math.round(diff.ms)} ms.
          </p>
          <h2>Added</h2>
          <ul>{d.added.map((o) => <li key={`${o.kind}/${nsName(o)}`}>{o.kind} <a href={historyLink(resource(o), meta(o).namespace, meta(o).name)}>{nsName(o)}</a></li>)}</ul>
          <h2>Removed</h2>
          <ul>{d.removed.map((o) => <li key={`${o.kind}/${nsName(o)}`}>{o.kind} <a href={historyLink(resource(o), meta(o).namespace, meta(o).name)}>{nsName(o)}</a></li>)}</ul>
          <h2>Changed</h2>
          {d.changed.map((c) => (
            <details key={`${c.after.kind}/${nsName(c.after)}`}>
              <summary>{c.after.kind} {nsName(c.after)}</summary>
              <FieldDiff before={c.before} after={c.after} />
            </details>
          ))}
        </>
      )}
    </main>
  );
}
