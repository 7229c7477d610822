import { useEffect, useState } from 'preact/hooks';
import type { StreamStore } from '../model/stream-store.js';

/** Re-renders the calling component whenever the store changes (at most once per frame). */
export function useStoreVersion(store: StreamStore): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return version;
}

/** A value that ticks once per `ms` (the dashboard's ~1 Hz clock for counters, charts and relative times). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
