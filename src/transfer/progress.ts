/** Where progress goes: process.stderr, or anything with its isTTY and write. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Progress of an import or an export: on a terminal, one line redrawn in place (records,
 * records/s, ETA); otherwise a plain line every few seconds, which logs keep readably, and a last
 * one at the end unless the line before already said the same count.
 */
export class Progress {
  private started = Date.now();
  private lastLine = 0;
  /** The label and count of the last plain line written, so that the end does not say them again. */
  private lastSaid = '';

  constructor(
    private readonly out: ProgressStream = process.stderr,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.started = Date.now();
    // The first plain line comes after everyMs too: a short run says only its end.
    this.lastLine = this.started;
    this.lastSaid = '';
  }

  update(label: string, done: number, total: number | null, final = false): void {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = done / seconds;
    const eta = total !== null && rate > 0 && done < total ? ` ETA ${Math.ceil((total - done) / rate)} s` : '';
    const of = total !== null ? `/${total}` : '';
    const line = `${label}: ${done}${of} records, ${rate.toFixed(0)}/s${eta}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
      return;
    }
    // A run's last page may be empty (a source that learns it is done only by asking once more),
    // so the end often comes with the count the last line already gave.
    const said = `${label}\0${done}`;
    if (final ? said !== this.lastSaid : Date.now() - this.lastLine >= this.everyMs) {
      this.lastLine = Date.now();
      this.lastSaid = said;
      this.out.write(`${line}\n`);
    }
  }
}
