/** The path of a request URL, without its query string (as sent: not decoded). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
