/**
 * The datetimes Qdrant 1.19's parser takes in a datetime range: RFC 3339
 * (`2014-01-01T00:00:00Z`, `...00.5+02:00`), its space-separated form with an offset
 * (`2014-01-01 00:00:00 +0200`), and without an offset `YYYY-MM-DD[T ]HH:MM[:SS[.f]]` and
 * `YYYY-MM-DD` (read as UTC). `Date.parse` takes far more (`"1"` is the year 2001), which would
 * make a typo a bound.
 */
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?(?: ?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?))?)?)?$/;

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Whether Qdrant reads `text` as a datetime: one of its forms, and a day and time that exist. */
export function isQdrantDatetime(text: string): boolean {
  const m = DATETIME.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const within = (part: string | undefined, max: number) => part === undefined || Number(part) <= max;
  // A leap second (60) is taken, as chrono takes it.
  return within(m[4], 23) && within(m[5], 59) && within(m[6], 60) && within(m[7], 23) && within(m[8], 59);
}
