// The console's shell: the navigation and which page each address under /console/ shows.
// Every page but the login needs a token for this tab.
import { render } from 'preact';
import { LocationProvider, Router, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { Login } from './pages/Login.jsx';
import { Overview } from './pages/Overview.jsx';
import { Pod } from './pages/Pod.jsx';
import { TimeTravel } from './pages/TimeTravel.jsx';
import { ObjectHistory } from './pages/ObjectHistory.jsx';
import { Search } from './pages/Search.jsx';
import { UserActivity } from './pages/UserActivity.jsx';
import { Diff } from './pages/Diff.jsx';
import { clearToken, getToken } from './session.js';
import './styles.css';

const pages = [
  ['/console/', 'Now'],
  ['/console/history', 'Time travel'],
  ['/console/search', 'Who deleted this?'],
  ['/console/diff', 'What changed?'],
  ['/console/users', 'What did a user do?'],
];

function Nav() {
  const { path, route } = useLocation();
  const signOut = () => {
    clearToken();
    route('/console/login');
  };
  return (
    <header>
      <nav aria-label="console">
        <span class="brand">capstan</span>
        {pages.map(([href, title]) => (
          <a key={href} href={href} aria-current={path === href || `${path}/` === href ? 'page' : undefined}>{title}</a>
        ))}
      </nav>
      <span class="user">{sessionStorage.getItem('capstan.user') || ''}</span>
      <button type="button" onClick={signOut}>Sign out</button>
    </header>
  );
}

function SignedIn({ children }) {
  const { route, url } = useLocation();
  const token = getToken();
  useEffect(() => {
    if (!token) route('/console/login', true);
  }, [token]);
  if (!token) return null;
  // Keyed by the address: another object's page starts afresh (no state carried over).
  return (
    <>
      <Nav />
      <div key={url.split('?')[0]}>{children}</div>
    </>
  );
}

function NotFound() {
  return <main><h1>No such page</h1><p><a href="/console/">The cluster now</a></p></main>;
}

const guarded = (Page) => (props) => <SignedIn><Page {...props} /></SignedIn>;

function App() {
  return (
    <LocationProvider>
      <Router>
        <Login path="/console/login" />
        {[
          ['/console/', Overview],
          ['/console', Overview],
          ['/console/pods/:namespace/:name', Pod],
          ['/console/history', TimeTravel],
          ['/console/objects/:resource/:namespace/:name', ObjectHistory],
          ['/console/search', Search],
          ['/console/users', UserActivity],
          ['/console/diff', Diff],
        ].map(([path, Page]) => {
          const G = guardedPages.get(Page);
          return <G key={path} path={path} />;
        })}
        <NotFound default />
      </Router>
    </LocationProvider>
  );
}

// One wrapper per page, made once (a new component per render would remount the page).
const guardedPages = new Map([Overview, Pod, TimeTravel, ObjectHistory, Search, UserActivity, Diff].map((P) => [P, guarded(P)]));

render(<App />, document.getElementById('app'));
