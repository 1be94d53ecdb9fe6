import { LastWrites } from '../../../src/common/read-your-writes';
import { formatLsn, parseLsn } from '../../../src/database/lsn';
import { hostUrls, isLostPrimary } from '../../../src/database/primary-hosts';

describe('WAL positions', () => {
  it('parse and print as PostgreSQL writes them, and compare as numbers', () => {
    const lsn = parseLsn('16/B374D848')!;
    expect(lsn).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(lsn)).toBe('16/B374D848');
    expect(formatLsn(parseLsn('0/0')!)).toBe('0/0');
    expect(parseLsn('0/FFFFFFFF')! < parseLsn('1/0')!).toBe(true);
    expect(parseLsn(' 0/16B3748 ')).toBe(0x16b3748n);
  });

  it.each(['', '0', '0/', '/1', '0/1/2', '0/123456789', 'G/1', "0/1'; DROP TABLE x", '-1/0', '0x1/0'])(
    'refuses %j',
    (text) => expect(parseLsn(text)).toBeUndefined(),
  );
});

describe('hostUrls', () => {
  it('keeps a one-host URL as it is', () => {
    expect(hostUrls('postgres://u:p@db:5432/v?sslmode=require')).toEqual(['postgres://u:p@db:5432/v?sslmode=require']);
  });

  it('makes one URL per host, with the same user, database and parameters, without target_session_attrs', () => {
    expect(
      hostUrls('postgres://u:p@db1:5432,db2:5433,[::1]:5434/v?target_session_attrs=read-write&sslmode=require'),
    ).toEqual([
      'postgres://u:p@db1:5432/v?sslmode=require',
      'postgres://u:p@db2:5433/v?sslmode=require',
      'postgres://u:p@[::1]:5434/v?sslmode=require',
    ]);
    expect(hostUrls('postgresql://db1,db2/v?target_session_attrs=read-write')).toEqual([
      'postgresql://db1/v',
      'postgresql://db2/v',
    ]);
  });

  it('tells a lost or read-only primary from a client mistake', () => {
    expect(isLostPrimary({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isLostPrimary({ code: '57P01' })).toBe(true);
    expect(isLostPrimary({ code: '25006' })).toBe(true);
    expect(isLostPrimary(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLostPrimary({ code: '22P02' })).toBe(false);
    expect(isLostPrimary({ code: '23505' })).toBe(false);
    expect(isLostPrimary(undefined)).toBe(false);
  });
});

describe('LastWrites', () => {
  it("keeps each client's latest write, never going back", () => {
    const writes = new LastWrites();
    writes.remember('a', 10n);
    writes.remember('a', 7n);
    writes.remember('b', 3n);
    expect(writes.of('a')).toBe(10n);
    expect(writes.of('b')).toBe(3n);
    expect(writes.of('c')).toBeUndefined();
  });

  it('forgets the oldest clients past its bound', () => {
    const writes = new LastWrites();
    for (let i = 0; i <= 10_000; i++) writes.remember(`client ${i}`, BigInt(i));
    expect(writes.of('client 0')).toBeUndefined();
    expect(writes.of('client 10000')).toBe(10_000n);
  });
});
