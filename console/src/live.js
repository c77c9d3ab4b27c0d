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
    setState({ items: [], synced: false, error: null }); // another path's objects are not these
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
    if (!path) {
      setState({ data: null, error: null, loading: false, ms: 0 });
      return undefined;
    }
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
  const [since, setSince] = useState(0);
  const control = useRef({ inFlight: false, dirty: false, timer: 0, stopped: false });
  // One request at a time: changes during one make the next follow it.
  const fetchSummary = useCallback(() => {
    const c = control.current;
    if (c.inFlight) {
      c.dirty = true;
      return;
    }
    c.inFlight = true;
    c.dirty = false;
    api('/capstan/v1/summary')
      .then((data) => {
        if (c.stopped) return;
        setState({ data, error: null });
        setSince((old) => old || data.seq);
      })
      .catch((error) => !c.stopped && setState((s) => ({ ...s, error })))
      .finally(() => {
        c.inFlight = false;
        if (c.dirty && !c.stopped) changedLater();
      });
  }, []);
  const changedLater = useCallback(() => {
    const c = control.current;
    if (!c.timer) c.timer = setTimeout(() => { c.timer = 0; fetchSummary(); }, 1000);
  }, []);
  useEffect(() => {
    const c = control.current;
    c.stopped = false;
    fetchSummary();
    return () => {
      c.stopped = true;
      clearTimeout(c.timer);
    };
  }, []);
  useEffect(() => {
    if (!since) return undefined;
    // A version the server no longer keeps: start again from a fresh summary's.
    const gone = () => setSince(0) || fetchSummary();
    const stops = paths.map((path) => watchList(path, { from: since, onEvent: changedLater, onGone: gone }));
    return () => stops.forEach((stop) => stop());
  }, [since, paths.join(',')]);
  return { ...state, changed: changedLater };
}
