// Talking to the master: every request carries the tab's bearer token; a 401 sends the user back
// to the login page. Lists stay current through the API's watch (list, then watch from the
// list's resourceVersion, relist when the server says the version is gone): no polling.
import { clearToken, getToken } from './session.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(extra) {
  return { Authorization: `Bearer ${getToken()}`, Accept: 'application/json', ...extra };
}

function signedOut() {
  clearToken();
  if (!location.pathname.endsWith('/login')) location.assign('/console/login');
}

async function failure(res) {
  const text = await res.text();
  let message = text || res.statusText;
  try {
    message = JSON.parse(text).message || message;
  } catch {
    // not a Status: the text as it came
  }
  return new ApiError(res.status, message);
}

// How long a 429 asks to wait (its Retry-After, 1 to 10 s; 2 s when it names none).
export function retryDelayMs(retryAfter) {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 2000;
}

// Resolves after `ms`, or rejects as soon as `signal` aborts.
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

// GET (or another method with a JSON body) and the answer's JSON; throws ApiError. A GET the
// master answers 429 (busy: past moments are rebuilt one at a time) is asked again after its
// Retry-After, up to 3 times.
export async function api(path, { method = 'GET', body, signal, contentType } = {}) {
  const init = { method, signal, headers: headers() };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = contentType || 'application/json';
  }
  for (let attempt = 0; ; attempt += 1) {
    const res = await fetch(path, init);
    if (res.status === 401) {
      signedOut();
      throw new ApiError(401, 'the token was not accepted');
    }
    if (res.status === 429 && method === 'GET' && attempt < 3) {
      await pause(retryDelayMs(res.headers.get('Retry-After')), signal);
      continue;
    }
    if (!res.ok) throw await failure(res);
    return res.json();
  }
}

// Reads a streamed answer line by line until it ends or `signal` aborts.
async function readLines(res, onLine) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim()) onLine(line);
    }
  }
  if (pending.trim()) onLine(pending);
}

function withQuery(path, query) {
  return path + (path.includes('?') ? '&' : '?') + query;
}

// Keeps `path`'s list current: onSync(items) after each (re)list, onEvent(type, object) for each
// change. Returns a function that stops it. A broken stream is resumed from the last version
// seen, after a pause that grows to 5 s while the server stays away. With `from` (a
// resourceVersion), it starts watching from there without listing first, and when that version
// is gone (410) it calls onGone and ends instead of listing.
export function watchList(path, { onSync, onEvent, onError, onGone, from }) {
  const control = new AbortController();
  let version = from ? String(from) : '';
  let pause = 250;
  const run = async () => {
    while (!control.signal.aborted) {
      try {
        if (!version && from) {
          onGone?.();
          return;
        }
        if (!version) {
          const list = await api(path, { signal: control.signal });
          version = list.metadata?.resourceVersion || '0';
          onSync?.(list.items || []);
        }
        const res = await fetch(
          withQuery(path, `watch=1&allowWatchBookmarks=true&resourceVersion=${version}`),
          { headers: headers(), signal: control.signal },
        );
        if (res.status === 401) return signedOut();
        if (!res.ok) throw await failure(res);
        onError?.(null);
        let failed = false;
        await readLines(res, (line) => {
          const event = JSON.parse(line);
          if (event.type === 'ERROR') {
            failed = true;
            if (event.object?.code === 410) version = ''; // older than the server keeps: relist
            return;
          }
          const rv = event.object?.metadata?.resourceVersion;
          if (rv) version = rv;
          if (event.type !== 'BOOKMARK') onEvent(event.type, event.object);
        });
        // A stream the server ended after an error waits before the next try; a watch that
        // simply timed out resumes at once.
        if (failed) {
          await new Promise((r) => setTimeout(r, pause));
          pause = Math.min(pause * 2, 5000);
        } else {
          pause = 250;
        }
      } catch (e) {
        if (control.signal.aborted) return;
        onError?.(e);
        if (e instanceof ApiError && e.status === 403) return; // not allowed: stays so
        if (e instanceof ApiError && e.status === 410) version = '';
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 5000);
      }
    }
  };
  run();
  return () => control.abort();
}

// Streams a text answer (a container's log with follow=true) to onText until stop() or its end.
export function streamText(path, { onText, onEnd, onError }) {
  const control = new AbortController();
  (async () => {
    try {
      const res = await fetch(path, { headers: headers({ Accept: '*/*' }), signal: control.signal });
      if (res.status === 401) return signedOut();
      if (!res.ok) throw await failure(res);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        onText(decoder.decode(value, { stream: true }));
      }
      onEnd?.();
    } catch (e) {
      if (!control.signal.aborted) onError?.(e);
    }
  })();
  return () => control.abort();
}
