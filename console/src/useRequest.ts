import { useCallback, useState } from 'react';

export interface Request<E> {
  busy: boolean;
  error: E | null;
  setError: (error: E | null) => void;
  /** Runs `work` with `busy` on and the last error cleared; a throw becomes `error`, then `onFailure` runs. */
  run: (work: () => Promise<void>, onFailure?: () => void) => Promise<void>;
  /** Reads the form before a request: a throw becomes `error` and gives null, so nothing is sent. */
  validate: <R>(read: () => R) => R | null;
}

/**
 * One action at a time from a form or button: `busy` drives the button and the panel's data-ready.
 * `toError` must be stable (a module-level function): `run` changes with it, and effects may depend on `run`.
 */
export function useRequest<E>(toError: (err: unknown) => E, initialError: E | null = null): Request<E> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<E | null>(initialError);
  const run = useCallback(
    async (work: () => Promise<void>, onFailure?: () => void) => {
      setBusy(true);
      setError(null);
      try {
        await work();
      } catch (err) {
        setError(toError(err));
        onFailure?.();
      } finally {
        setBusy(false);
      }
    },
    [toError],
  );
  const validate = <R>(read: () => R): R | null => {
    try {
      return read();
    } catch (err) {
      setError(toError(err));
      return null;
    }
  };
  return { busy, error, setError, run, validate };
}

/** A request whose answer the page shows; a failed one clears the last answer, so no stale result stays. */
export function useAnswer<A, E>(
  toError: (err: unknown) => E,
): Request<E> & {
  answer: A | null;
  ask: (call: () => Promise<A>) => Promise<void>;
} {
  const request = useRequest(toError);
  const [answer, setAnswer] = useState<A | null>(null);
  const ask = (call: () => Promise<A>) =>
    request.run(
      async () => setAnswer(await call()),
      () => setAnswer(null),
    );
  return { ...request, answer, ask };
}
