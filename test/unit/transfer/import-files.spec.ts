import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForbiddenError, InvalidArgumentError } from '../../../src/core/errors';
import { handleBuffer, listImportFiles, openInside } from '../../../src/transfer/bulk-import/import-files';

describe('bulk import files', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vecgate-import-files-')));
  const root = join(dir, 'root');
  const outside = join(dir, 'outside');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (err) {
      return err as Error;
    }
    throw new Error('not refused');
  };

  it('reads an opened file through its descriptor, whatever its path leads to later', async () => {
    mkdirSync(join(root, 'swap'), { recursive: true });
    mkdirSync(join(outside, 'swap'), { recursive: true });
    writeFileSync(join(root, 'swap', 'f.parquet'), 'inside bytes');
    writeFileSync(join(outside, 'swap', 'f.parquet'), 'OUTSIDE BYTE');
    const opened = await openInside(join(root, 'swap', 'f.parquet'), [root]);
    try {
      renameSync(join(root, 'swap'), join(root, 'swap-moved'));
      symlinkSync(join(outside, 'swap'), join(root, 'swap'));
      const buffer = handleBuffer(opened, 'f.parquet');
      expect(buffer.byteLength).toBe(12);
      expect(Buffer.from(await buffer.slice(0, 12)).toString()).toBe('inside bytes');
      expect(Buffer.from(await buffer.slice(7)).toString()).toBe('bytes');
      await expect(buffer.slice(0, 13)).rejects.toThrow(/bytes 0 to 13 were asked of a file of 12 bytes/);
    } finally {
      await opened.handle.close();
    }
    // Opened again, the path leads out now.
    expect(await refusal(openInside(join(root, 'swap', 'f.parquet'), [root]))).toBeInstanceOf(ForbiddenError);
  });

  it('opens only what is inside the roots, and says so alike for every way out', async () => {
    mkdirSync(join(root, 'plain'), { recursive: true });
    writeFileSync(join(outside, 'there.parquet'), 'x');
    symlinkSync(join(outside, 'there.parquet'), join(root, 'plain', 'to-there'));
    symlinkSync(join(outside, 'not-there.parquet'), join(root, 'plain', 'to-nowhere'));
    for (const link of ['to-there', 'to-nowhere']) {
      const err = await refusal(openInside(join(root, 'plain', link), [root]));
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err.message).toBe(
        `${join(root, 'plain', link)} leads outside the directories this server imports from (VECGATE_IMPORT_ROOTS)`,
      );
    }
    expect(await refusal(openInside(join(root, 'plain', 'missing'), [root]))).toBeInstanceOf(InvalidArgumentError);
  });

  it("lists Pinecone's layout: files of the default namespace, then a directory per namespace", async () => {
    const layout = join(root, 'layout');
    for (const file of ['b.parquet', 'a.parquet', 'notes.txt', '__default__/c.parquet', 'ns-1/d.parquet']) {
      mkdirSync(join(layout, file, '..'), { recursive: true });
      writeFileSync(join(layout, file), '');
    }
    mkdirSync(join(layout, 'ns-1', 'nested'));
    symlinkSync(join(layout, 'a.parquet'), join(layout, 'ns-1', 'linked.parquet'));
    symlinkSync(join(layout, 'nowhere.parquet'), join(layout, 'ns-1', 'dangling.parquet'));
    expect(await listImportFiles(layout, [root])).toEqual([
      { namespace: '', path: join(layout, 'a.parquet') },
      { namespace: '', path: join(layout, 'b.parquet') },
      { namespace: '', path: join(layout, '__default__', 'c.parquet') },
      { namespace: 'ns-1', path: join(layout, 'ns-1', 'd.parquet') },
      { namespace: 'ns-1', path: join(layout, 'a.parquet') },
    ]);
    expect(await listImportFiles(join(layout, 'b.parquet'), [root])).toEqual([
      { namespace: '', path: join(layout, 'b.parquet') },
    ]);
    // A namespace directory, or a file in one, that leads out refuses the import.
    symlinkSync(outside, join(layout, 'ns-out'));
    expect(await refusal(listImportFiles(layout, [root]))).toBeInstanceOf(ForbiddenError);
    rmSync(join(layout, 'ns-out'));
    symlinkSync(join(outside, 'gone.parquet'), join(layout, 'ns-1', 'out.parquet'));
    expect(await refusal(listImportFiles(layout, [root]))).toBeInstanceOf(ForbiddenError);
  });
});
