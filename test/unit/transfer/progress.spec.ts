import { Progress, type ProgressStream } from '../../../src/transfer/progress';

/** A stream that is not a terminal (stderr piped to a file or a log), keeping what is written. */
function piped(isTTY = false): ProgressStream & { text: () => string; lines: () => string[] } {
  let text = '';
  return {
    isTTY,
    write: (chunk: string) => (text += chunk),
    text: () => text,
    lines: () => text.split('\n').filter(Boolean),
  };
}

describe('import and export progress, not on a terminal', () => {
  it("says a count once: the importer's full last page, then the empty page that ends the run", () => {
    // What the importer calls for a source that learns it is done only by asking once more (a
    // JSONL file, a Chroma server): the page that brings the last records, then an empty one.
    const out = piped();
    const progress = new Progress(out, 0); // a line for every page, as a long run has
    progress.start();
    progress.update('docs', 500, 1000);
    progress.update('docs', 1000, 1000);
    progress.update('docs', 1000, 1000, true);
    expect(out.lines().map((l) => l.replace(/, \d+\/s.*$/, ''))).toEqual([
      'docs: 500/1000 records',
      'docs: 1000/1000 records',
    ]);
  });

  it("says an export's end once: its last batch counted, then the end with the same count", () => {
    const out = piped();
    const progress = new Progress(out, 0);
    progress.start();
    progress.update('export docs', 100, 100);
    progress.update('export docs', 100, 100, true);
    expect(out.lines()).toHaveLength(1);
    expect(out.lines()[0]).toMatch(/^export docs: 100\/100 records, \d+\/s$/);
  });

  it('writes a plain line every few seconds, and a run shorter than that only its end', () => {
    const out = piped();
    const progress = new Progress(out); // every 5 s
    progress.start();
    progress.update('docs', 50, 100);
    progress.update('docs', 100, 100);
    expect(out.text()).toBe('');
    progress.update('docs', 100, 100, true);
    expect(out.lines()).toHaveLength(1);
    expect(out.lines()[0]).toMatch(/^docs: 100\/100 records, \d+\/s$/);
  });

  it('writes the end when it says more than the last line, and each collection its own end', () => {
    const out = piped();
    const progress = new Progress(out, 0);
    progress.start();
    progress.update('a', 10, null);
    progress.update('a', 12, null, true);
    progress.start();
    progress.update('b', 12, null);
    progress.update('b', 12, null, true);
    expect(out.lines().map((l) => l.replace(/, \d+\/s.*$/, ''))).toEqual([
      'a: 10 records',
      'a: 12 records',
      'b: 12 records',
    ]);
  });

  it('on a terminal, redraws one line in place and ends it with a newline', () => {
    const out = piped(true);
    const progress = new Progress(out);
    progress.start();
    progress.update('docs', 50, 100);
    progress.update('docs', 100, 100, true);
    // Each line starts with a carriage return and ends by clearing the rest of the line (ESC [K).
    const parts = out.text().split('\u001b[K');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatch(/^\rdocs: 50\/100 records, \d+\/s( ETA \d+ s)?$/);
    expect(parts[1]).toMatch(/^\rdocs: 100\/100 records, \d+\/s$/);
    expect(parts[2]).toBe('\n');
  });
});
