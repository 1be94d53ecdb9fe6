import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ApiKeysRepository } from '../core/auth/api-keys.repository';
import { ApiKeysService } from '../core/auth/api-keys.service';
import { ConfigError, loadConfig } from '../config/load-config';
import { Database } from '../database/database';
import { TenantsRepository } from '../core/tenants/tenants.repository';
import { openingFailure, sayOpened, STDERR_LOGGER } from './cli-database';

const USAGE = `usage:
  npm run keys -- create --tenant TENANT [--database DB ...] [--admin] [--create-data-dir]
                                    a new key (printed alone on the last line); --admin: it
                                    may also manage its tenant's keys in the web console
  npm run keys -- list              every key, without secrets
  npm run keys -- revoke KEY_ID     refuse a key from now on
  npm run keys -- --help            this text
The database is the one vecgate uses: DATABASE_URL, else the embedded one in VECGATE_DATA_DIR
(./data by default, relative to the directory the command runs in), which a running gateway holds:
stop it first. A directory that holds no database is refused; create --create-data-dir makes a
new one there (to create a key before the gateway's first start).`;

const CREATE_FLAG = '--create-data-dir';

class UsageError extends Error {}
/** A command that was well formed but could not be done: said in one line, without the usage. */
class Refusal extends Error {}

function option(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      values.push(value);
      i++;
    }
  }
  return values;
}

type Command =
  | { name: 'create'; tenant: string; databases: string[]; admin: boolean; createDataDir: boolean }
  | { name: 'list' }
  | { name: 'revoke'; id: string }
  | { name: 'help' };

/** The command line, checked before the database is opened: a usage mistake touches nothing. */
function parse(args: string[]): Command {
  const [command, ...rest] = args;
  if (command === 'help' || args.includes('--help') || args.includes('-h')) return { name: 'help' };
  switch (command) {
    case 'create': {
      const [tenant, ...more] = option(rest, '--tenant');
      if (!tenant || more.length) throw new UsageError('create needs exactly one --tenant');
      return {
        name: 'create',
        tenant,
        databases: option(rest, '--database'),
        admin: rest.includes('--admin'),
        createDataDir: rest.includes(CREATE_FLAG),
      };
    }
    case 'list':
      return { name: 'list' };
    case 'revoke': {
      const [id] = rest;
      if (!id) throw new UsageError('revoke needs a KEY_ID');
      return { name: 'revoke', id };
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

async function run(command: Exclude<Command, { name: 'help' }>, keys: ApiKeysService): Promise<void> {
  switch (command.name) {
    case 'create': {
      const { tenant, databases, admin } = command;
      const { id, key } = await keys.create(tenant, databases.length ? databases : null, admin);
      console.log(
        `Created ${admin ? 'admin ' : ''}key ${id} for tenant ${tenant} (${databases.length ? `databases ${databases.join(', ')}` : 'every database'}).`,
      );
      console.log('Store it now: it is not shown again.');
      console.log(key);
      return;
    }
    case 'list': {
      const rows = await keys.list();
      if (rows.length === 0) console.log('no keys');
      for (const r of rows) {
        const state = r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : 'active';
        console.log(
          `${r.id}  tenant=${r.tenant}  databases=${r.databases ? r.databases.join(',') : '*'}${r.admin ? '  admin' : ''}  created=${r.createdAt.toISOString()}  ${state}`,
        );
      }
      return;
    }
    case 'revoke': {
      if (!(await keys.revoke(command.id))) throw new Refusal(`no active key ${command.id}`);
      console.log(`Revoked key ${command.id}.`);
      return;
    }
  }
}

async function main(): Promise<void> {
  // Warnings go to stderr: stdout is for the command's answer (the key, alone on the last line).
  Logger.overrideLogger(STDERR_LOGGER);
  const command = parse(process.argv.slice(2));
  if (command.name === 'help') {
    console.log(USAGE);
    return;
  }
  const createDataDir = command.name === 'create' && command.createDataDir;
  const db = new Database(loadConfig(), undefined, { program: 'keys', createDataDir });
  try {
    await db.open();
  } catch (err) {
    const words = openingFailure(err, command.name === 'create' ? CREATE_FLAG : undefined);
    throw words ? new Error(words) : err;
  }
  sayOpened(db);
  try {
    await run(command, new ApiKeysService(db, new ApiKeysRepository(), new TenantsRepository()));
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  if (err instanceof UsageError) console.error(`keys: ${err.message}\n${USAGE}`);
  else if (err instanceof ConfigError) console.error(`keys: configuration error: ${err.message}`);
  else console.error(`keys: ${err?.message ?? err}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
