import type { Type } from '@nestjs/common';
import type { AppConfig } from '../../../../src/config/app-config';
import type { OperationsOptions } from '../../../../src/operations/operations-options';
import { startGateway, type TestGateway } from '../../../support/gateway';
import { LogCapture } from './log-capture';

export interface OperatedGateway extends TestGateway {
  logs: LogCapture;
}

export interface OperatedOptions extends Partial<OperationsOptions> {
  /** false: every log line silenced, as startGateway's gateways are. */
  logs?: boolean;
  /** Test-only modules added to the app (a slow route for the shutdown tests). */
  extraModules?: Type<unknown>[];
}

/** startGateway with its log lines, at debug level, captured instead of silenced. */
export async function startOperatedGateway(
  options: OperatedOptions = {},
  overrides: Partial<AppConfig> = {},
): Promise<OperatedGateway> {
  const { logs: logsOn = true, extraModules = [], ...operations } = options;
  const logs = new LogCapture();
  const gw = await startGateway(overrides, undefined, {
    logger: logsOn ? undefined : false,
    operations: { destination: logs, logLevel: 'debug', ...operations },
    extraModules,
  });
  return { ...gw, logs };
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
