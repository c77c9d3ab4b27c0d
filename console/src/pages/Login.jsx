// The login page: a bearer token (of DATA/tokens.csv or a service account's), checked with a
// SelfSubjectReview (who am I?) before it is kept for this tab.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { clearToken, setToken } from '../session.js';

export function Login() {
  const { route } = useLocation();
  const [token, setTokenText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setToken(token.trim());
    try {
      const review = await api('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        method: 'POST',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      sessionStorage.setItem('capstan.user', review.status?.userInfo?.username || '');
      route('/console/');
    } catch (err) {
      clearToken();
      setError(err.status === 401 ? 'The master does not accept this token.' : `Could not sign in: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>capstan</h1>
      <form onSubmit={submit}>
        <label for="token">Bearer token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token}
          onInput={(e) => setTokenText(e.currentTarget.value)} />
        <p class="hint">The token is kept for this browser tab only. <code>scripts/up</code> prints one.</p>
        <button type="submit" disabled={busy || !token.trim()}>Sign in</button>
        {error && <p role="alert" class="error">{error}</p>}
      </form>
    </main>
  );
}
