import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../../src/core/errors';
import { countLines, JsonlPartReader, MAX_LINE_CHARS, openLines } from '../../../src/transfer/bulk-import/import-jsonl';

describe('bulk import JSONL files', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'vecgate-import-jsonl-')));
  const options = { roots: [root], urls: [] };
  const noFetch = () => Promise.reject(new Error('no URL here'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function all(path: string) {
    const opened = await openLines(path, options, noFetch);
    const lines = [];
    try {
      for (let got = await opened.lines.next(); !got.done; got = await opened.lines.next()) lines.push(got.value);
    } finally {
      await opened.close();
    }
    return lines;
  }

  it('numbers lines as an editor does, blank ones skipped, CRLF and a last line without newline read', async () => {
    const path = join(root, 'mixed.jsonl');
    writeFileSync(path, '{"a":1}\r\n\n  \n{"b":"é"}\n{"c":3}');
    expect(await all(path)).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":"é"}', line: 4 },
      { text: '{"c":3}', line: 5 },
    ]);
    expect(await countLines(path, options, noFetch)).toBe(3);
  });

  it('refuses a line past the limit without holding more of it', async () => {
    const path = join(root, 'long.jsonl');
    writeFileSync(path, `{"ok":1}\n"${'x'.repeat(MAX_LINE_CHARS + 10)}`);
    const err = await countLines(path, options, noFetch).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('line 2 is longer than');
  });

  it('reads chunks in order from where the last ended, and again from the start when asked back', async () => {
    const path = join(root, 'many.jsonl');
    writeFileSync(path, Array.from({ length: 5 }, (_, k) => JSON.stringify({ k })).join('\n'));
    const reader = new JsonlPartReader([{ namespace: '', location: path, rows: 5, format: 'jsonl' }], options, noFetch);
    try {
      expect((await reader.chunk(0, 0)).rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
      expect(await reader.chunk(0, 3)).toEqual({
        rows: [
          { text: '{"k":3}', line: 4 },
          { text: '{"k":4}', line: 5 },
        ],
        end: 5,
      });
      const changed = new JsonlPartReader(
        [{ namespace: '', location: path, rows: 6, format: 'jsonl' }],
        options,
        noFetch,
      );
      await expect(changed.chunk(0, 0)).rejects.toThrow('has changed since the import started');
      await changed.close();
    } finally {
      await reader.close();
    }
  });
});
