import { embeddedLabel, postgresLabel } from '../../../src/database/database-label';

describe('the database a command says it opened', () => {
  it.each([
    ['postgres://vecgate:s3cret@db.internal:6543/vectors?sslmode=require', 'PostgreSQL at db.internal:6543/vectors'],
    ['postgresql://user:p%40ss@127.0.0.1/vecgate', 'PostgreSQL at 127.0.0.1:5432/vecgate'],
    ['postgres://postgres@[::1]:5432/postgres', 'PostgreSQL at [::1]:5432/postgres'],
    ['postgres:///vecgate?host=/var/run/postgresql', 'PostgreSQL at /var/run/postgresql:5432/vecgate'],
    ['postgres://alice:pw@db', 'PostgreSQL at db:5432/alice'],
    ['not a url', 'PostgreSQL (DATABASE_URL)'],
  ])('%s: host, port and database, never the password', (url, label) => {
    expect(postgresLabel(url)).toBe(label);
    expect(postgresLabel(url)).not.toMatch(/s3cret|p%40ss|p@ss|:pw@/);
  });

  it('names an embedded directory absolute, whatever it was given as', () => {
    expect(embeddedLabel('/srv/vecgate/data')).toBe('the embedded database in /srv/vecgate/data');
    expect(embeddedLabel('./data')).toBe(`the embedded database in ${process.cwd()}/data`);
    expect(embeddedLabel('memory://')).toBe('the in-memory embedded database (memory://)');
  });
});
