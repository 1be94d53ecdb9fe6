import { namedPlanning, type StatementPlanning } from './prepared-statements';

/**
 * How the embedded session plans what it binds: PGlite is one session, so statements planned for
 * their values and statements planned once (StatementPlanning) take turns on it. Planning a
 * statement in WebAssembly costs 0.1-0.2 ms, a good part of a count's or a get's time there; a
 * statement whose plan cannot depend on its values is planned once instead, the others still for
 * each call's values (docs/hot-path.md).
 *
 * The two settings that make a way of planning (plan_cache_mode, enable_sort) are read when a
 * Bind plans. A trip that binds a statement planned otherwise than the session plans now goes
 * with a Query message ahead of it that switches them: one trip to the thread still, and none
 * when the session already plans that way. Inside a transaction block the switch is SET LOCAL,
 * so that a rollback cannot leave the session other than recorded: the block's end brings back
 * what the session had before it.
 */

interface Settings {
  /** plan_cache_mode force_generic_plan (else force_custom_plan). */
  generic: boolean;
  /** enable_sort off (PLAN_ONCE's walks). */
  sortOff: boolean;
}

const SETTINGS: Record<StatementPlanning, Settings> = {
  'per-call': { generic: false, sortOff: false },
  once: { generic: true, sortOff: false },
  walk: { generic: true, sortOff: true },
};

/** What a simple query wants: sorts priced as they cost (it is planned for its text whatever plan_cache_mode says). */
const SIMPLE: Partial<Settings> & Pick<Settings, 'sortOff'> = { sortOff: false };

/** Simple queries that plan nothing (node-postgres's and Database's transaction control). */
const PLANS_NOTHING = new Set(['BEGIN', 'COMMIT', 'ROLLBACK']);

const BIND = 0x42;
const QUERY = 0x51;
const IDLE = 'I';
const FAILED = 'E';

/** The name of the statement a Bind message binds (after the portal's name). */
function boundName(message: Uint8Array): string {
  let i = 5;
  while (message[i] !== 0) i++;
  const start = ++i;
  while (message[i] !== 0) i++;
  return Buffer.from(message.buffer, message.byteOffset + start, i - start).toString('latin1');
}

/** The text of a simple Query message, when short enough to be one of PLANS_NOTHING. */
function shortQuery(message: Uint8Array): string | undefined {
  return message.length > 16
    ? undefined
    : Buffer.from(message.buffer, message.byteOffset + 5, message.length - 6).toString();
}

/** What the first statement of a trip needs, or undefined when it plans nothing. */
function wantedBy(messages: readonly Uint8Array[]): (Partial<Settings> & Pick<Settings, 'sortOff'>) | undefined {
  for (const message of messages) {
    if (message[0] === BIND) return SETTINGS[namedPlanning(boundName(message))];
    if (message[0] === QUERY) {
      const text = shortQuery(message);
      return text !== undefined && PLANS_NOTHING.has(text) ? undefined : SIMPLE;
    }
  }
  return undefined;
}

/** Query messages by their text: a handful of switches, each encoded once. */
const encoded = new Map<string, Uint8Array>();

function queryMessage(text: string): Uint8Array {
  let message = encoded.get(text);
  if (!message) {
    const body = Buffer.from(`${text}\0`);
    message = Buffer.alloc(5 + body.length);
    message[0] = QUERY;
    (message as Buffer).writeInt32BE(4 + body.length, 1);
    body.copy(message as Buffer, 5);
    encoded.set(text, message);
  }
  return message;
}

/** The plan settings of one embedded session (a thread's PGlite): made with the session, which starts planning per call. */
export class SessionPlanning {
  /** The session's settings outside a transaction block; undefined when unknown (a trip failed). */
  private session: Settings | undefined = SETTINGS['per-call'];
  /** Inside a transaction block, what SET LOCAL made them there, until the block ends. */
  private local: Settings | undefined;
  /** The transaction status of the session's last answer: idle, in a block, or in a failed block. */
  private status = IDLE;

  /**
   * The Query message to send ahead of `messages`, in the same trip, so that the statement they
   * bind is planned as its name says; undefined when the session plans so already. Its answers
   * (up to its ReadyForQuery) are the caller's to strip, and to report with answered().
   */
  switchFor(messages: readonly Uint8Array[]): Uint8Array | undefined {
    // A failed block answers every statement but ROLLBACK with an error: nothing is planned there.
    if (this.status === FAILED) return undefined;
    const wanted = wantedBy(messages);
    if (!wanted) return undefined;
    const inBlock = this.status !== IDLE;
    const now = inBlock ? (this.local ?? this.session) : this.session;
    const next = { generic: wanted.generic ?? now?.generic ?? false, sortOff: wanted.sortOff };
    const sets: string[] = [];
    const set = inBlock ? 'SET LOCAL' : 'SET';
    if (now?.generic !== next.generic)
      sets.push(`${set} plan_cache_mode = ${next.generic ? 'force_generic_plan' : 'force_custom_plan'}`);
    if (now?.sortOff !== next.sortOff) sets.push(`${set} enable_sort = ${next.sortOff ? 'off' : 'on'}`);
    if (sets.length === 0) return undefined;
    if (inBlock) this.local = next;
    else this.session = next;
    return queryMessage(sets.join('; '));
  }

  /**
   * Notes the answer to a trip: the transaction status it ended in (undefined: it has no
   * ReadyForQuery), and whether the switch sent ahead of it failed (then nothing is assumed of the
   * settings until the next switch sets both).
   */
  answered(status: string | undefined, switchFailed = false): void {
    if (switchFailed) this.lost();
    if (status === undefined) return;
    this.status = status;
    if (status === IDLE) this.local = undefined;
  }

  /** A trip got no answer: what it changed is unknown. */
  lost(): void {
    this.session = undefined;
    this.local = undefined;
  }
}
