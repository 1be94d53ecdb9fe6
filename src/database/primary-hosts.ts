import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/**
 * DATABASE_URL may name several hosts, as libpq's multi-host URLs do
 * (`postgres://user@db1:5432,db2:5432/vecgate`): one URL per host, each with the same user,
 * database and parameters. libpq's `target_session_attrs` is dropped: the gateway always wants the
 * host that takes writes (node-postgres knows neither).
 */
export function hostUrls(url: string): string[] {
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/.exec(url);
  if (!m) return [url];
  const [, scheme, userinfo = '', hosts, rest] = m;
  const list = hosts.split(',').filter(Boolean);
  if (list.length <= 1) return [url];
  const tail = rest.replace(/([?&])target_session_attrs=[^&#]*&?/, '$1').replace(/[?&]$/, '');
  return list.map((host) => `${scheme}${userinfo}${host}${tail}`);
}

/** An error that says the server is gone, or no longer takes writes (a primary demoted to a standby). */
export function isLostPrimary(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|57P)/.test(code) || code === '25006') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection error/.test(e.message);
}

/** How long one host may take to answer whether it is a primary. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Which of DATABASE_URL's hosts is the primary. With one host it is that one. With several, the
 * first host that answers as not in recovery, looked for at boot and again whenever the current one
 * is lost or found read-only (a failover promoted another): the pools' new connections then go there.
 */
export class PrimaryHosts {
  private readonly logger = new Logger('Database');
  private current = 0;
  private finding?: Promise<void>;

  constructor(readonly urls: string[]) {}

  get url(): string {
    return this.urls[this.current];
  }

  get several(): boolean {
    return this.urls.length > 1;
  }

  /** Looks for the primary again; calls at the same time share one search. */
  find(): Promise<void> {
    if (!this.several) return Promise.resolve();
    this.finding ??= this.search().finally(() => (this.finding = undefined));
    return this.finding;
  }

  private async search(): Promise<void> {
    for (let i = 0; i < this.urls.length; i++) {
      if (!(await this.isPrimary(this.urls[i]))) continue;
      if (i !== this.current)
        this.logger.warn(`the primary is now host ${i + 1} of DATABASE_URL's ${this.urls.length}`);
      this.current = i;
      return;
    }
  }

  private async isPrimary(url: string): Promise<boolean> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query('SELECT pg_is_in_recovery() AS standby');
      return rows[0].standby === false;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
