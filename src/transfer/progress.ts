/**
 * Progress of an import: on a terminal, one line redrawn in place (records, records/s, ETA);
 * otherwise a plain line every few seconds, which logs keep readably.
 */
export class Progress {
  private started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.started = Date.now();
    this.lastLine = 0;
  }

  update(label: string, done: number, total: number | null, final = false): void {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = done / seconds;
    const eta = total !== null && rate > 0 && done < total ? ` ETA ${Math.ceil((total - done) / rate)} s` : '';
    const of = total !== null ? `/${total}` : '';
    const line = `${label}: ${done}${of} records, ${rate.toFixed(0)}/s${eta}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
    } else if (final || Date.now() - this.lastLine >= this.everyMs) {
      this.lastLine = Date.now();
      this.out.write(`${line}\n`);
    }
  }
}
