import { boundedLines, LineTooLongError } from '../../../src/common/bounded-lines';

async function* chunksOf(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

async function all(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('boundedLines', () => {
  it('splits lines across chunks, with \\n or \\r\\n ends, blank lines and a last line without an end', async () => {
    const euro = Buffer.from('€'); // three bytes, split between two chunks below
    const lines = boundedLines(
      chunksOf(
        '{"a":1}\n{"b"',
        ':2}\r\n\n',
        Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]),
        euro.subarray(1),
        '\nlast',
      ),
      100,
    );
    expect(await all(lines)).toEqual(['{"a":1}', '{"b":2}', '', 'x€', 'last']);
  });

  it('takes a line of exactly the bound and refuses one byte more, naming its line', async () => {
    expect(await all(boundedLines(chunksOf('12345\nabc', 'de\n'), 5))).toEqual(['12345', 'abcde']);
    await expect(all(boundedLines(chunksOf('12345\nabc', 'def\n'), 5))).rejects.toEqual(
      expect.objectContaining({ line: 2, maxBytes: 5 }),
    );
    await expect(all(boundedLines(chunksOf('ok\n', '123456'), 5))).rejects.toBeInstanceOf(LineTooLongError);
  });

  it('stops reading an endless line at the bound: it pulls no chunk past it', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        pulled++;
        yield Buffer.alloc(1024, 'x');
      }
    }
    await expect(all(boundedLines(endless(), 10 * 1024))).rejects.toEqual(
      expect.objectContaining({ line: 1, maxBytes: 10 * 1024 }),
    );
    expect(pulled).toBe(11);
  });
});
