// Preact hooks over the API: a list kept live by watch, and a one-off JSON request.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, watchList } from './api.js';

export function objectKey(o) {
  return `${o.metadata?.namespace || ''}/${o.metadata?.name || ''}`;
}

// The objects of a list path, live. Changes arriving together are drawn together (one render
// per animation frame at most), so a burst of thousands of events costs a few renders.
// `onChange` (optional) is told of every change after the first list.
export function useLiveList(path, onChange) {
  const [state, setState] = useState({ items: [], synced: false, error: null });
  useEffect(() => {
    if (!path) return undefined;
    const objects = new Map();
    let frame = 0;
    let error = null;
    let synced = false;
    const draw = () => {
      frame = 0;
      setState({ items: Array.from(objects.values()), synced, error });
    };
    const later = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    const stop = watchList(path, {
      onSync(items) {
        objects.clear();
        for (const o of items) objects.set(objectKey(o), o);
        synced = true;
        later();
      },
      onEvent(type, o) {
        if (type === 'DELETED') objects.delete(objectKey(o));
        else objects.set(objectKey(o), o);
        later();
        onChange?.();
      },
      onError(e) {
        if (error === e) return;
        error = e;
        later();
      },
    });
    return () => {
      stop();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [path]);
  return state;
}

// GET `path` (null: nothing) and its JSON: { data, error, loading, ms } (ms: how long it took).
export function useJson(path) {
  const [state, setState] = useState({ data: null, error: null, loading: !!path, ms: 0 });
  useEffect(() => {
    if (!path) return undefined;
    const control = new AbortController();
    const started = performance.now();
    setState((s) => ({ ...s, loading: true, error: null }));
    api(path, { signal: control.signal })
      .then((data) => setState({ data, error: null, loading: false, ms: performance.now() - started }))
      .catch((error) => {
        if (!control.signal.aborted) setState({ data: null, error, loading: false, ms: 0 });
      });
    return () => control.abort();
  }, [path]);
  return state;
}

// The cluster's figures (/capstan/v1/summary), fetched again after changes: watches of `paths`
// from the summary's own version (and any caller of `changed`) count changes, and the summary
// follows within a second (never more than once a second, however fast the changes come).
export function useLiveSummary(paths) {
  const [state, setState] = useState({ data: null, error: null });
  const [changes, setChanges] = useState(0);
  const [since, setSince] = useState(0);
  const timer = useRef(0);
  const changed = useCallback(() => {
    if (!timer.current) timer.current = setTimeout(() => { timer.current = 0; setChanges((n) => n + 1); }, 1000);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    let stopped = false;
    api('/capstan/v1/summary')
      .then((data) => {
        if (stopped) return;
        setState({ data, error: null });
        setSince((old) => old || data.seq);
      })
      .catch((error) => !stopped && setState((s) => ({ ...s, error })));
    return () => {
      stopped = true;
    };
  }, [changes]);
  useEffect(() => {
    if (!since) return undefined;
    const stops = paths.map((path) => watchList(path, { from: since, onEvent: changed }));
    return () => stops.forEach((stop) => stop());
  }, [since, paths.join(',')]);
  return { ...state, changed };
}
