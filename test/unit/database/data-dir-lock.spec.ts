import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, inUseMessage, lockDataDir } from '../../../src/database/data-dir-lock';

describe('the embedded data directory lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vecgate-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records which program took the directory', () => {
    const release = lockDataDir(dir, 'vecgate import');
    try {
      expect(JSON.parse(readFileSync(join(dir, 'vecgate.lock'), 'utf8'))).toMatchObject({
        pid: process.pid,
        host: hostname(),
        program: 'vecgate import',
      });
    } finally {
      release();
    }
  });

  it("refuses a live owner's directory naming the owner, the absolute directory and the lock file", () => {
    // The parent of this process: alive for as long as the test runs.
    writeFileSync(
      join(dir, 'vecgate.lock'),
      JSON.stringify({ pid: process.ppid, host: hostname(), token: 'x', program: 'gateway' }),
    );
    try {
      expect(() => lockDataDir(dir, 'keys')).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir, 'keys')).toThrow(
        `the data directory ${dir} is in use by process ${process.ppid} on ${hostname()} (the vecgate gateway)`,
      );
      expect(() => lockDataDir(dir, 'keys')).toThrow(`If no such process runs, remove ${join(dir, 'vecgate.lock')}.`);
    } finally {
      rmSync(join(dir, 'vecgate.lock'));
    }
  });

  const owner = (program?: 'gateway' | 'vecgate import' | 'vecgate export' | 'keys') => ({
    pid: 4242,
    host: 'box',
    token: 't',
    ...(program ? { program } : {}),
  });

  it('tells a command held off by the gateway to stop it, run the command, start it again, or use PostgreSQL', () => {
    const text = inUseMessage('data', owner('gateway'), 'vecgate import');
    expect(text).toContain(
      `the data directory ${join(process.cwd(), 'data')} is in use by process 4242 on box (the vecgate gateway)`,
    );
    expect(text).toContain(
      'Stop the gateway (Ctrl-C where `npm start` runs, or kill 4242), run this command, then start the gateway again',
    );
    expect(text).toContain(
      'or run vecgate on PostgreSQL (DATABASE_URL), where gateways and the import, export and keys commands work side by side',
    );
    expect(text).toContain(`If no such process runs, remove ${join(process.cwd(), 'data', 'vecgate.lock')}.`);
  });

  it('tells a gateway, or a command, held off by a command to wait for it', () => {
    expect(inUseMessage('/d', owner('vecgate import'), 'gateway')).toContain(
      '(`vecgate import`): an embedded database serves one process at a time. Wait for `vecgate import` to finish (or stop it), then start the gateway again',
    );
    expect(inUseMessage('/d', owner('keys'), 'vecgate export')).toContain(
      'Wait for the `keys` command to finish, then run this command again',
    );
  });

  it('tells a gateway held off by a gateway to run several on PostgreSQL, and says what it can of an unnamed owner', () => {
    expect(inUseMessage('/d', owner('gateway'), 'gateway')).toContain(
      'in use by process 4242 on box (the vecgate gateway): an embedded database serves one process at a time. Run several gateways on PostgreSQL (DATABASE_URL).',
    );
    // A lock file of an older vecgate names no program.
    const unnamed = inUseMessage('/d', owner(), 'keys');
    expect(unnamed).toContain('in use by process 4242 on box: an embedded');
    expect(unnamed).toContain(
      'Stop that process (a gateway: Ctrl-C where `npm start` runs, or kill 4242) or let it finish',
    );
  });
});
