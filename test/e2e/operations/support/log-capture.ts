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
  async waitFor(predicate: (line: Record<string, any>) => boolean, ms = 2_000): Promise<Record<string, any>> {
    const until = Date.now() + ms;
    for (;;) {
      const line = this.find(predicate);
      if (line) return line;
      if (Date.now() > until)
        throw new Error(`no log line matched within ${ms} ms; lines: ${JSON.stringify(this.lines.slice(-10))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
