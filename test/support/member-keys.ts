/**
 * Keys that name what every JavaScript object inherits, for the tests that show they are ordinary
 * strings to vecgate. Objects with such keys are built with Object.fromEntries or JSON.parse (own
 * properties: `{__proto__: x}` in a literal would set a prototype instead), and answers are
 * compared as canonical JSON text, which sees an own `__proto__` where an equality of objects may not.
 */

/** Every key here is an own property of Object.prototype, or (prototype) of every function. */
export const MEMBER_KEYS = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** JSON with every object's keys sorted: key order is part of no answer here. */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** An object of these entries, each an own property whatever its key. */
export const obj = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);
