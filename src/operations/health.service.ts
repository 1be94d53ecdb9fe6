import { readdirSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import { appliedMigrations, migrationsDir } from '../database/migrator';
import { OPERATIONS_OPTIONS, OperationsOptions } from './operations-options';

export type Readiness = { ready: true } | { ready: false; reason: string };

class Timeout extends Error {}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const expiry = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout()), ms)));
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

/**
 * Whether this replica should get traffic: the database answers in time, every migration this
 * build ships is applied, and no shutdown has begun. The reasons are coarse on purpose (the probe
 * is unauthenticated); the database's own error goes to the log.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  // The files cannot change under a running process: read once.
  private readonly migrations = readdirSync(migrationsDir())
    .filter((f) => f.endsWith('.sql'))
    .sort();
  private draining = false;

  constructor(
    private readonly db: Database,
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
  ) {}

  /** From now on, readiness fails, so the load balancer stops sending while requests drain. */
  markShuttingDown(): void {
    this.draining = true;
  }

  async readiness(): Promise<Readiness> {
    if (this.draining) return { ready: false, reason: 'shutting down' };
    let applied: Set<string>;
    try {
      applied = await within(this.options.readyTimeoutMs, this.appliedMigrations());
    } catch (err) {
      if (err instanceof Timeout)
        return { ready: false, reason: `database did not answer within ${this.options.readyTimeoutMs} ms` };
      this.logger.warn(`readiness: database unreachable: ${(err as Error)?.message ?? err}`);
      return { ready: false, reason: 'database unreachable' };
    }
    const pending = this.migrations.filter((name) => !applied.has(name));
    if (pending.length > 0) return { ready: false, reason: `migrations not applied: ${pending.join(', ')}` };
    return { ready: true };
  }

  private appliedMigrations(): Promise<Set<string>> {
    return appliedMigrations(this.db);
  }
}
