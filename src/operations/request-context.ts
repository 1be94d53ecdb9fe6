import { ScopedValue } from '../database/scoped-value';

/** What the operating surface knows about the request being served. */
export interface RequestInfo {
  requestId: string;
  /** The protocol whose paths the request was sent to, or `other`. */
  protocol: string;
}

const storage = new ScopedValue<RequestInfo>('request');

/** Runs `work` (the rest of the request's middleware chain) with `info` as the current request. */
export function runWithRequest<T>(info: RequestInfo, work: () => T): T {
  return storage.run(info, work);
}

/** The request whose async work is running, if any: log lines and record counters read it. */
export function currentRequest(): RequestInfo | undefined {
  return storage.get();
}
