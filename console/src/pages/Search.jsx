// "Who deleted this?": every object that ever had a name (deleted ones too), its creation and
// deletion, and who made each.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ChangeList } from '../components/ChangeList.jsx';
import { useJson } from '../live.js';

export function Search() {
  const { query, route } = useLocation();
  const [name, setName] = useState(query.name || '');
  const path = query.name ? `/capstan/v1/history?search=${encodeURIComponent(query.name)}&lifecycle=true&limit=500` : null;
  const found = useJson(path);
  const submit = (e) => {
    e.preventDefault();
    route(`/console/search?name=${encodeURIComponent(name.trim())}`);
  };
  const items = found.data?.items || [];
  return (
    <main>
      <h1>Who deleted this?</h1>
      <form onSubmit={submit} class="inline">
        <label for="name">Object name (or part of it)</label>
        <input id="name" type="search" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <button type="submit">Search the journal</button>
      </form>
      {found.loading && <p class="status">searching…</p>}
      {found.error && <p class="error" role="alert">{found.error.message}</p>}
      {found.data && (
        <>
          <p class="status">{items.length} creations and deletions, found in {Math.round(found.ms)} ms{found.data.metadata?.more ? ' (the newest shown)' : ''}.</p>
          <ChangeList items={items} showObject />
        </>
      )}
    </main>
  );
}
