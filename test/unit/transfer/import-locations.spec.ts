import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ForbiddenError, InvalidArgumentError } from '../../../src/core/errors';
import { checkedPath, locate } from '../../../src/transfer/bulk-import/import-locations';

describe('bulk import locations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vecgate-locate-'));
  const root = join(dir, 'root');
  const other = join(dir, 'root-other');
  mkdirSync(join(root, 'layout'), { recursive: true });
  mkdirSync(other);
  writeFileSync(join(other, 'x.parquet'), '');
  symlinkSync(other, join(root, 'out'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = { roots: [root], urls: ['https://data.example.com/exports/', 'http://127.0.0.1:9000/one.parquet'] };
  const refused = (uri: string, options = open) => {
    try {
      locate(uri, options);
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('reads nothing by default', () => {
    const none = { roots: [], urls: [] };
    expect(refused(pathToFileURL(join(root, 'layout')).toString(), none)).toBeInstanceOf(ForbiddenError);
    expect(refused('https://data.example.com/exports/a.parquet', none)).toBeInstanceOf(ForbiddenError);
  });

  it('answers alike for every link out, whether or not its target exists, and never looks outside', () => {
    writeFileSync(join(other, 'there.parquet'), '');
    symlinkSync(join(other, 'there.parquet'), join(root, 'to-file'));
    symlinkSync(join(other, 'not-there.parquet'), join(root, 'to-nothing'));
    symlinkSync('../root-other/there.parquet', join(root, 'up-to-file'));
    symlinkSync('../root-other/not-there.parquet', join(root, 'up-to-nothing'));
    const answer = (path: string) => {
      const err = refused(pathToFileURL(path).toString()) as Error;
      return [err.constructor.name, err.message.replace(path, '<path>')];
    };
    const leadsOut = [
      'ForbiddenError',
      '<path> leads outside the directories this server imports from (VECGATE_IMPORT_ROOTS)',
    ];
    for (const [there, notThere] of [
      [join(root, 'to-file'), join(root, 'to-nothing')],
      [join(root, 'up-to-file'), join(root, 'up-to-nothing')],
      [join(root, 'out', 'there.parquet'), join(root, 'out', 'not-there.parquet')],
      [join(root, 'out', 'x.parquet'), join(root, 'out', 'no-dir', 'x.parquet')],
    ]) {
      expect(answer(there)).toEqual(leadsOut);
      expect(answer(notThere)).toEqual(leadsOut);
    }
    // Links that stay inside are followed; a missing path inside is a 400.
    writeFileSync(join(root, 'layout', 'a.parquet'), '');
    symlinkSync(join(root, 'layout', 'a.parquet'), join(root, 'abs-inside'));
    symlinkSync('layout/./a.parquet', join(root, 'rel-inside'));
    symlinkSync('rel-inside', join(root, 'chain'));
    for (const link of ['abs-inside', 'rel-inside', 'chain'])
      expect(checkedPath(join(root, link), [root])).toBe(join(realpathSync(root), 'layout', 'a.parquet'));
    expect(refused(pathToFileURL(join(root, 'layout', 'missing')).toString())).toBeInstanceOf(InvalidArgumentError);
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    expect((refused(pathToFileURL(join(root, 'loop-a')).toString()) as Error).message).toMatch(
      /too many symbolic links/,
    );
  });

  it('takes paths below a root, judged on their real paths', () => {
    expect(locate(pathToFileURL(join(root, 'layout')).toString(), open)).toEqual({
      kind: 'file',
      path: join(root, 'layout'),
    });
    // A sibling whose name starts with the root's, a way up, a symbolic link out: all outside.
    for (const path of [join(other, 'x.parquet'), `${root}/../root-other`, join(root, 'out'), '/etc/passwd'])
      expect(refused(pathToFileURL(path).toString())).toBeInstanceOf(ForbiddenError);
    expect(refused(pathToFileURL(join(root, 'missing')).toString())).toBeInstanceOf(InvalidArgumentError);
    expect(refused('file://elsewhere/srv/x')).toBeInstanceOf(InvalidArgumentError);
  });

  it('takes one .parquet file under an allowed URL prefix, nothing else', () => {
    expect(locate('https://data.example.com/exports/a/b.parquet', open)).toEqual({
      kind: 'http',
      url: 'https://data.example.com/exports/a/b.parquet',
    });
    expect(locate('http://127.0.0.1:9000/one.parquet', open).kind).toBe('http');
    for (const uri of [
      'https://data.example.com/other/b.parquet',
      'https://data.example.com.evil.net/exports/b.parquet',
      'http://data.example.com/exports/b.parquet',
      'http://127.0.0.1:9001/one.parquet',
      'http://127.0.0.1:9000/one.parquet.bak/x.parquet',
    ])
      expect(refused(uri)).toBeInstanceOf(ForbiddenError);
    expect(refused('https://data.example.com/exports/dir/')).toBeInstanceOf(InvalidArgumentError);
    expect(refused('https://user:pw@data.example.com/exports/a.parquet')).toBeInstanceOf(InvalidArgumentError);
  });

  it('compares URL paths decoded, and refuses one that cannot be decoded safely', () => {
    // Encoded characters that are not separators are compared decoded.
    expect(locate('https://data.example.com/%65xports/a%2Db.parquet', open).kind).toBe('http');
    expect(refused('https://data.example.com/exp%6Frts2/b.parquet')).toBeInstanceOf(ForbiddenError);
    for (const [path, why] of [
      ['exports/..%2fsecret/x.parquet', 'an encoded slash or backslash'],
      ['exports/..%2Fsecret/x.parquet', 'an encoded slash or backslash'],
      ['exports/%2e%2e%2fsecret/x.parquet', 'an encoded slash or backslash'],
      ['exports/..%5csecret/x.parquet', 'an encoded slash or backslash'],
      ['exports/%252e%252e%252fsecret/x.parquet', 'a double encoding'],
      ['exports/x%00.parquet', 'an encoded NUL'],
      ['exports/%zz/x.parquet', 'invalid percent-encoding'],
      ['exports/%e2%82/x.parquet', 'invalid percent-encoding'],
    ]) {
      const err = refused(`https://data.example.com/${path}`) as Error;
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toContain(why);
    }
    // Dot segments, encoded or not, are resolved by the URL parser before anything is compared.
    expect(refused('https://data.example.com/exports/%2e%2e/secret/x.parquet')).toBeInstanceOf(ForbiddenError);
    expect(refused('https://data.example.com/exports/./../secret/x.parquet')).toBeInstanceOf(ForbiddenError);
    // A file:// path with an encoded slash or an invalid encoding is a 400, not a server error.
    for (const uri of [
      `${pathToFileURL(root)}/layout%2fx`,
      `${pathToFileURL(root)}/%zz`,
      `${pathToFileURL(root)}/a%00`,
    ])
      expect(refused(uri)).toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses object stores and other schemes as unsupported', () => {
    for (const uri of ['s3://bucket/dir', 'gs://bucket/dir', 'ftp://host/a.parquet', 'no uri at all'])
      expect(refused(uri)).toBeInstanceOf(InvalidArgumentError);
  });
});
