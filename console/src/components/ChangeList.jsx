// Journal records as a list of changes: when, what, who (and so which sort of actor), and for
// records that carry the object, what changed in it since the record before.
import { diffObjects, show } from '../diff.js';
import { causeClass, historyLink, when } from '../format.js';

export function FieldDiff({ before, after }) {
  if (after === null) return <p class="gone">The object is gone.</p>;
  const changes = diffObjects(before ?? undefined, after ?? undefined);
  if (!changes.length) return null;
  if (changes.length === 1 && changes[0].path === '') return <pre class="created">{JSON.stringify(after, null, 2)}</pre>;
  return (
    <table class="diff">
      <thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path}><td><code>{c.path}</code></td><td class="old">{show(c.before)}</td><td class="new">{show(c.after)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function Who({ cause }) {
  return <span class={`who ${causeClass(cause)}`}>{cause || 'unknown'}</span>;
}

// `items`: history records, oldest first; with `withDiffs`, each diffed against the one before.
export function ChangeList({ items, withDiffs, showObject }) {
  return (
    <ol class="changes">
      {items.map((r, i) => (
        <li key={r.seq} class={r.event.endsWith('Deleted') ? 'deleted' : ''} data-testid="change">
          <div class="change-head">
            <span class="seq"><a href={`/console/history?at=${r.seq}`} title="the cluster at this record">#{r.seq}</a></span>{' '}
            <time dateTime={r.time}>{when(r.time)}</time>{' '}
            <strong class="event">{r.event}</strong>{' '}
            {showObject && <a href={historyLink(r.resource, r.namespace, r.name)}>{r.namespace ? `${r.namespace}/` : ''}{r.name}</a>}{' '}
            by <Who cause={r.cause} /> {r.change && <span class="summary">— {r.change}</span>}
          </div>
          {withDiffs && r.object !== undefined && <FieldDiff before={i > 0 ? items[i - 1].object : undefined} after={r.object} />}
          {r.touched?.length > 0 && (
            <p class="touched">
              Led to: {r.touched.map((t) => (
                <a key={t.seq} href={historyLink(t.resource, t.namespace, t.name)}>{t.event} {t.name}</a>
              )).reduce((a, b) => [a, ', ', b])}
              {r.touchedMore ? ` and ${r.touchedMore} more` : ''}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
