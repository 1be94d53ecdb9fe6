import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api';

export interface Loaded<T, E = string> {
  data: T | null;
  error: E | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads on mount and whenever `deps` change; a stale answer never overwrites a newer one.
 * A failure is `toError(err)`, by default its message; the last data stays.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T>;
export function useLoad<T, E>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  toError: (err: unknown) => E,
): Loaded<T, E>;
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  toError: (err: unknown) => unknown = errorMessage,
): Loaded<T, unknown> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(toError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // The caller names what the load depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
