// One object's whole life from the journal, deleted objects included: each change, its diff,
// who made it, and what it led to (an RC's scale -> the pods its manager created or deleted).
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ChangeList } from '../components/ChangeList.jsx';
import { useJson } from '../live.js';
import { when } from '../format.js';

// The object's last deletion: who asked for it (a graceful deletion is asked by a user and
// finished by the pod's node) and when it was done.
function whoDeleted(items) {
  let done = items.length - 1;
  while (done >= 0 && !items[done].event.endsWith('Deleted')) --done;
  if (done < 0) return null;
  for (let i = done - 1; i >= 0 && !items[i].event.endsWith('Created'); --i)
    if (items[i].event.endsWith('DeletionRequested')) return { asked: items[i], done: items[done] };
  return { asked: items[done], done: items[done] };
}

export function ObjectHistory() {
  const { params } = useRoute();
  const { resource, namespace, name } = params;
  const decoded = name; // preact-iso gives the parameters decoded
  const [to, setTo] = useState('');
  const ns = namespace === '-' ? '' : namespace;
  const path = `/capstan/v1/history?kind=${encodeURIComponent(resource)}&namespace=${encodeURIComponent(ns)}&name=${encodeURIComponent(decoded)}&objects=true&limit=200${to ? `&to=${to}` : ''}`;
  const history = useJson(path);
  const items = history.data?.items || [];
  const deletion = whoDeleted(items);
  return (
    <main>
      <h1>History of {resource} {ns ? `${ns}/` : ''}{decoded}</h1>
      {history.loading && <p class="status">reading the journal…</p>}
      {history.error && <p class="error" role="alert">{history.error.message}</p>}
      {history.data && (
        <>
          <p class="status">{items.length} changes, read in {Math.round(history.ms)} ms.</p>
          {deletion && (
            <p class="answer" data-testid="deleted-by">
              Deleted by <strong>{deletion.asked.cause}</strong> at record {deletion.asked.seq} ({when(deletion.asked.time)})
              {deletion.done !== deletion.asked ? `; gone at record ${deletion.done.seq}, confirmed by ${deletion.done.cause}` : ''}
              {deletion.done.change ? ` (${deletion.done.change})` : ''}.
            </p>
          )}
          {!items.length && <p>The journal holds no record of this object.</p>}
          {history.data.metadata?.more && items.length > 0 && (
            <button type="button" onClick={() => setTo(String(items[0].seq - 1))}>Older changes</button>
          )}
          <ChangeList items={items} withDiffs />
        </>
      )}
    </main>
  );
}
