import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The migrated database on the DATABASE_URL server that scratch databases copy (CREATE DATABASE
 * … TEMPLATE), made once a run by global-setup.ts: a copy takes a tenth of a second where a new
 * database and its migrations took two, once for every gateway a test starts. As the embedded
 * seed (embedded-seed.ts), it is what each test's gateway would have migrated anyway.
 */
export const PG_TEMPLATE_ENV = 'VECGATE_TEST_PG_TEMPLATE';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a database on the DATABASE_URL server and returns its URL and a dropper: a copy of the
 * run's migrated template, or, with `empty` (or outside jest's global setup), a new empty one.
 */
export async function createScratchDatabase({ empty = false }: { empty?: boolean } = {}): Promise<ScratchDatabase> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `vecgate_test_${randomBytes(6).toString('hex')}`;
  const template = empty ? undefined : process.env[PG_TEMPLATE_ENV];
  if (template !== undefined && !/^vecgate_test_[0-9a-f]+$/.test(template))
    throw new Error(`${PG_TEMPLATE_ENV} is not a scratch database's name: ${template}`);
  await onServer(base, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropScratchDatabase(name),
  };
}

/** Drops a database createScratchDatabase made, by its name. */
export async function dropScratchDatabase(name: string): Promise<void> {
  if (!/^vecgate_test_[0-9a-f]+$/.test(name)) throw new Error(`not a scratch database's name: ${name}`);
  await onServer(new URL(process.env.DATABASE_URL!), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function onServer(base: URL, sql: string): Promise<void> {
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
