// "What did user X do today?": every record a user caused since a moment (midnight by default).
import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ChangeList } from '../components/ChangeList.jsx';
import { useJson } from '../live.js';

function midnight() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function UserActivity() {
  const { query, route } = useLocation();
  const [user, setUser] = useState(query.user || sessionStorage.getItem('capstan.user') || '');
  const since = query.since || midnight();
  const path = query.user ? `/capstan/v1/history?cause=${encodeURIComponent(query.user)}&since=${encodeURIComponent(since)}&limit=1000` : null;
  const found = useJson(path);
  const items = found.data?.items || [];
  const counts = useMemo(() => {
    const m = new Map();
    for (const r of items) m.set(r.event, (m.get(r.event) || 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  }, [found.data]);
  const submit = (e) => {
    e.preventDefault();
    route(`/console/users?user=${encodeURIComponent(user.trim())}`);
  };
  return (
    <main>
      <h1>What did a user do?</h1>
      <form onSubmit={submit} class="inline">
        <label for="user">User</label>
        <input id="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} required />
        <button type="submit">Show since midnight</button>
      </form>
      {found.error && <p class="error" role="alert">{found.error.message}</p>}
      {found.data && (
        <>
          <p class="status">{items.length} changes by {query.user} since {new Date(since).toLocaleString()}{found.data.metadata?.more ? ' (the newest 1000)' : ''}.</p>
          <ul class="inline-list">{counts.map(([e, n]) => <li key={e}>{e}: {n}</li>)}</ul>
          <ChangeList items={items} showObject />
        </>
      )}
    </main>
  );
}
