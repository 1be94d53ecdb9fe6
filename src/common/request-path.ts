/** The path of a request URL, without its query string (as sent: not decoded). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** A load balancer's and a scraper's paths: never throttled, queued or refused for failed keys. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Whether a request URL is one of PROBE_PATHS. */
export function isProbe(url: string): boolean {
  return PROBE_PATHS.has(pathOf(url));
}
