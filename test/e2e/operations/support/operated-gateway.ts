import { startGateway, TestGateway } from '../../../support/gateway';
import { AppConfig } from '../../../../src/config/app-config';
import { LogCapture } from './log-capture';
import { attachRecordMetricsShim } from './record-metrics-shim';
import { wireOperations, WireOptions } from './wire';

export interface OperatedGateway extends TestGateway {
  logs: LogCapture;
}

/** startGateway with the operations wiring applied and its log lines captured. */
export async function startOperatedGateway(
  options: WireOptions = {},
  overrides: Partial<AppConfig> = {},
): Promise<OperatedGateway> {
  const logs = new LogCapture();
  const undo = wireOperations({ destination: logs, logLevel: 'debug', ...options });
  try {
    const gw = await startGateway(overrides);
    attachRecordMetricsShim(gw.app);
    return { ...gw, logs };
  } finally {
    undo();
  }
}

/** The sum of a metric's samples whose labels include `labels`, or undefined when none has them. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
