import { TooManyValuesError } from '../errors';

/**
 * The most values one statement binds: the protocol counts a statement's parameters in 16 bits,
 * and past this count Postgres and PGlite refuse the statement (or the count wraps around).
 */
export const MAX_STATEMENT_VALUES = 65_535;

/**
 * Collects bind parameters for one statement and hands out their placeholders. A value added again
 * with the same cast (a key a filter names in several conditions) reuses its placeholder. A
 * statement that would bind more than MAX_STATEMENT_VALUES is refused here, before it is sent.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  /** Placeholder numbers of the cast values added so far, by cast and JSON text. */
  private readonly known = new Map<string, number>();
  private aliases = 0;

  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }

  /** Adds a value and returns its placeholder, with a cast when one is given (`$3::jsonb`). */
  add(value: unknown, cast?: string): string {
    const known = cast !== undefined && reusable(value) ? `${cast} ${JSON.stringify(value)}` : undefined;
    const at = known === undefined ? undefined : this.known.get(known);
    if (at !== undefined) return `$${at}::${cast}`;
    if (this.values.length >= MAX_STATEMENT_VALUES) throw new TooManyValuesError(MAX_STATEMENT_VALUES);
    this.values.push(value);
    if (known !== undefined) this.known.set(known, this.values.length);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /** A table alias no other part of the statement uses (`prefix` then a number). */
  alias(prefix: string): string {
    return `${prefix}${++this.aliases}`;
  }
}

/** Scalars and lists of strings (a key's path) are compared by their JSON text; anything else is added afresh. */
function reusable(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.length <= 16 && value.every((v) => typeof v === 'string'))
  );
}
