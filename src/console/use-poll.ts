// Reads something now and again every few seconds while the page shows it; the last good value stays
// on screen when a refresh fails (the error is shown beside it).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './api.js';

export interface Polled<T> {
  data: T | undefined;
  error: string | null;
  reload: () => Promise<void>;
}

export function usePoll<T>(read: () => Promise<T>, intervalMs: number | null, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const readRef = useRef(read);
  readRef.current = read;
  const generation = useRef(0);
  const busy = useRef(false);

  const reload = useCallback(async () => {
    // A slow server must not pile up requests: a tick that finds the last read still running skips.
    if (busy.current) return;
    busy.current = true;
    const mine = generation.current;
    try {
      const value = await readRef.current();
      if (mine !== generation.current) return;
      setData(value);
      setError(null);
    } catch (e) {
      if (mine !== generation.current) return;
      setError(messageOf(e));
    } finally {
      busy.current = false;
    }
  }, []);

  useEffect(() => {
    generation.current++;
    setData(undefined);
    setError(null);
    void reload();
    if (intervalMs === null) return;
    const timer = setInterval(() => { void reload(); }, intervalMs);
    return () => { clearInterval(timer); generation.current++; };
  }, deps);

  return { data, error, reload };
}
