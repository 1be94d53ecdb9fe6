import { isIP } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';

/** Whether HOST keeps the gateway on this machine: a loopback address or the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // An IPv4-mapped loopback (::ffff:127.0.0.1).
  return /^::ffff:127\./.test(h);
}

/**
 * The warning a gateway logs at boot when it listens beyond loopback while anyone may call it (auth
 * off, or `auto` before the first key): undefined when it is safe. Loopback is the default, so only
 * a HOST someone set can get here; the warning says what it exposes and the ways out.
 */
export function openListenWarning(
  config: Pick<AppConfig, 'host' | 'port' | 'auth'>,
  authOn: boolean,
): string | undefined {
  if (isLoopbackHost(config.host) || authOn) return undefined;
  const why =
    config.auth === 'off'
      ? 'VECGATE_AUTH=off'
      : 'no API key exists yet (VECGATE_AUTH=auto turns auth on with the first key)';
  return (
    `OPEN TO THE NETWORK: vecgate listens on ${config.host}:${config.port}, beyond this machine, and ${why}: ` +
    'anyone who reaches this port can read, change and delete every collection. ' +
    'Create a key (npm run keys -- create --tenant TENANT), set VECGATE_AUTH=required, ' +
    'or listen on loopback only (HOST=127.0.0.1).'
  );
}

/** Logs the warning when it applies, for the port really listened on; `authOn` asks the key store whether auth is on. */
export async function warnIfOpen(
  config: Pick<AppConfig, 'host' | 'port' | 'auth'>,
  authOn: () => Promise<boolean>,
  logger: LoggerService,
): Promise<void> {
  if (isLoopbackHost(config.host)) return;
  const on = config.auth === 'required' || (config.auth === 'auto' && (await authOn()));
  const warning = openListenWarning(config, on);
  if (warning) logger.warn(warning);
}
