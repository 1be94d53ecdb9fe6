/** Stands where a secret was taken out. */
export const REDACTED = '[redacted]';

/** Shortest run of a configured key taken out where it stands inside other text (a key's start or end quoted). */
const FRAGMENT = 8;

/** A value after a name that says it is a credential: `Authorization: ...`, `"api_key": "..."`, `?key=...`. */
const NAMED =
  /\b(proxy-authorization|authorization|x-api-key|api[-_ ]?key|apikey|access[-_ ]?token|token|secret|password|key)(["']?\s*[:=]\s*)(?:"[^"\n]*"|'[^'\n]*'|(?:(?:bearer|basic|token)\s+)?(?:\[redacted\]|[^\s"'&,;)}\]]+))/gi;
/** A credential after its scheme, wherever it stands. */
const SCHEME = /\b(bearer|basic)\s+(?:\[redacted\]|[A-Za-z0-9._~+/=-]+)/gi;
/** A long run of token characters: some other system's key, a signed address. Kept when it has no digit or no letter. */
const OPAQUE = /[A-Za-z0-9._~+/=-]{32,}/g;
/** Runs of characters a key may hold, between the characters that separate words and fields. */
const TOKEN = /[^\s"'`,;:=&?()[\]{}<>|\\]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Takes out of a provider's words every configured key (split by whitespace, in any case, or
 * any run of 8 of its characters), every bearer or basic credential, the value of anything named
 * like a key, and every long opaque token. Proxies and providers echo the Authorization header in
 * their errors; whatever provider answered, no key of the configuration may reach a client or a log.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const keys = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  const whole = keys.length ? new RegExp(keys.map((k) => [...k].map(escapeRegExp).join('\\s*')).join('|'), 'gi') : null;
  const fragments = new Set<string>();
  for (const key of keys) {
    const lower = key.toLowerCase();
    for (let i = 0; i + FRAGMENT <= lower.length; i++) fragments.add(lower.slice(i, i + FRAGMENT));
  }
  const holdsFragment = (token: string): boolean => {
    const lower = token.toLowerCase();
    for (let i = 0; i + FRAGMENT <= lower.length; i++) if (fragments.has(lower.slice(i, i + FRAGMENT))) return true;
    return false;
  };
  return (text: string): string => {
    let out = whole ? text.replace(whole, REDACTED) : text;
    if (fragments.size) out = out.replace(TOKEN, (t) => (t.length >= FRAGMENT && holdsFragment(t) ? REDACTED : t));
    return out
      .replace(NAMED, (_, name: string, between: string) => `${name}${between}${REDACTED}`)
      .replace(SCHEME, (_, scheme: string) => `${scheme} ${REDACTED}`)
      .replace(OPAQUE, (t) => (/\d/.test(t) && /[A-Za-z]/.test(t) ? REDACTED : t));
  };
}
