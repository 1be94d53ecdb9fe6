import { until } from '../../../support/wait';

/** A pino destination that keeps every line, parsed. */
export class LogCapture {
  readonly lines: Record<string, any>[] = [];

  write(chunk: string): void {
    for (const text of chunk.split('\n')) if (text.trim()) this.lines.push(JSON.parse(text));
  }

  find(predicate: (line: Record<string, any>) => boolean): Record<string, any> | undefined {
    return this.lines.find(predicate);
  }

  /** Access lines come when the response closes, a moment after the client has the answer. */
  waitFor(predicate: (line: Record<string, any>) => boolean): Promise<Record<string, any>> {
    return until(
      'a log line',
      () => this.find(predicate),
      (line) => line !== undefined,
    ) as Promise<Record<string, any>>;
  }
}
