import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './build';

const REPO = resolve(__dirname, '../..');

/** A JSON log line of the gateway (pino). */
export type LogLine = Record<string, any>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `node dist/src/main.js` as `npm start` runs it (or another built entry that logs the same
 * listening line), in a minimal environment (nothing of the test run's VECGATE_* or HOST leaks
 * in): PORT 0 and the Qdrant port off unless given, and whatever `env` sets. Resolves once the gateway logs the address it
 * listens on.
 */
export class GatewayProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
    /** Every log line so far, the ones after the listening line included. */
    readonly lines: LogLine[],
    private readonly output: { stderr: string },
    /** How the process ended, once it has. */
    readonly exited: Promise<Exit>,
  ) {}

  /** `cwd`: where it runs (a relative VECGATE_DATA_DIR is read from there); `entry`: the built file run. */
  static async start(
    env: Record<string, string> = {},
    { cwd = REPO, entry = join(REPO, 'dist/src/main.js') }: { cwd?: string; entry?: string } = {},
  ): Promise<GatewayProcess> {
    await ensureBuilt();
    const child = spawn(process.execPath, [entry], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        QDRANT_PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: LogLine[] = [];
    const output = { stderr: '' };
    let pending = '';
    let listening: (address: { host: string; port: number }) => void = () => undefined;
    child.stderr!.on('data', (chunk) => (output.stderr += chunk));
    child.stdout!.on('data', (chunk) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const text of complete) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        const match = /listening on http:\/\/(.+):(\d+)$/.exec(line.msg ?? '');
        if (match) listening({ host: match[1], port: Number(match[2]) });
      }
    });
    const exited = new Promise<Exit>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    const address = await new Promise<{ host: string; port: number }>((done, fail) => {
      listening = done;
      void exited.then(({ code }) =>
        fail(new Error(`the gateway exited with ${code} before listening: ${output.stderr}`)),
      );
    });
    return new GatewayProcess(child, address.host, address.port, lines, output, exited);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get stderr(): string {
    return this.output.stderr;
  }

  /** SIGTERM, and waits for the exit (the gateway drains and closes its database). */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** For afterAll/afterEach: a process a failed test left running goes at once. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
