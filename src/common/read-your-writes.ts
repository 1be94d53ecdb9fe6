import type { FastifyRequest } from 'fastify';
import { currentPrincipal } from '../core/auth/request-context';
import { InvalidArgumentError } from '../core/errors';
import { formatLsn, parseLsn } from '../database/lsn';
import type { ReadConsistency } from '../database/read-consistency';

/**
 * With read replicas, a write's answer carries the primary's WAL position after it in this header,
 * and a read that sends it back is served by a replica that has replayed it (or by the primary).
 * The official clients ignore it; a proxy or an application can keep the latest one per session.
 */
export const LSN_HEADER = 'x-vecgate-lsn';

/** How long this process remembers a client's last write for its next reads. */
const REMEMBER_MS = 60_000;
/** Clients remembered at most; past it the oldest are forgotten (their reads may then be stale). */
const MAX_CLIENTS = 10_000;

/**
 * Each client's last write this process saw (by API key, else address), so that an official client,
 * which never sends the header, still reads what it wrote when it comes back to the same gateway.
 */
export class LastWrites {
  private readonly byClient = new Map<string, { lsn: bigint; at: number }>();

  remember(client: string, lsn: bigint): void {
    const known = this.byClient.get(client);
    this.byClient.delete(client);
    this.byClient.set(client, { lsn: known && known.lsn > lsn ? known.lsn : lsn, at: Date.now() });
    if (this.byClient.size > MAX_CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
  }

  of(client: string): bigint | undefined {
    const known = this.byClient.get(client);
    if (!known) return undefined;
    if (Date.now() - known.at <= REMEMBER_MS) return known.lsn;
    this.byClient.delete(client);
    return undefined;
  }
}

/** One request's consistency: the position named by its header or its client's last write; its own writes noted. */
export class RequestConsistency implements ReadConsistency {
  /** The primary's position after this request's last write, for the answer's header. */
  latest?: bigint;
  private readonly token?: bigint;

  constructor(
    private readonly request: FastifyRequest,
    private readonly lastWrites: LastWrites,
  ) {
    const header = request.headers[LSN_HEADER];
    if (header === undefined) return;
    const token = typeof header === 'string' ? parseLsn(header) : undefined;
    if (token === undefined)
      throw new InvalidArgumentError(
        `The ${LSN_HEADER} header must be a WAL position such as 0/16B3748, as a write's answer gave it`,
      );
    this.token = token;
  }

  atLeast(): bigint | undefined {
    const remembered = this.lastWrites.of(this.client());
    if (remembered === undefined) return this.token;
    return this.token === undefined || remembered > this.token ? remembered : this.token;
  }

  committed(lsn: bigint): void {
    if (this.latest === undefined || lsn > this.latest) this.latest = lsn;
    this.lastWrites.remember(this.client(), lsn);
  }

  header(): string | undefined {
    return this.latest === undefined ? undefined : formatLsn(this.latest);
  }

  /** Asked while the request runs (the auth guard has named its key by then). */
  private client(): string {
    return currentPrincipal()?.keyId ?? `ip:${this.request.ip}`;
  }
}
