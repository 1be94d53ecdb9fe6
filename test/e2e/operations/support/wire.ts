import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../../../src/app.module';
import { installOperations } from '../../../../src/operations/install-operations';
import { OperationsModule } from '../../../../src/operations/operations.module';
import { OperationsOptions } from '../../../../src/operations/operations-options';

export interface WireOptions extends Partial<OperationsOptions> {
  /** false: every log line silenced (what createApp's `logger: false` will ask for). */
  logs?: boolean;
  /** Test-only modules added to the app (a slow route for the shutdown tests). */
  extraModules?: Type<unknown>[];
}

function isOperations(entry: unknown): boolean {
  return entry === OperationsModule || (entry as DynamicModule | undefined)?.module === OperationsModule;
}

/**
 * Applies the proposed wiring around the real createApp, for the tests, until app.module.ts and
 * app.factory.ts carry it: OperationsModule among AppModule's imports (replacing one already
 * there, so a test can capture its logs), NestFactory.create with bufferLogs, and
 * installOperations right after it, before createApp's own middleware. installOperations is idempotent, so once createApp calls it
 * too, the call made here (first) wins and createApp's is a no-op. Returns the undo.
 */
export function wireOperations(options: WireOptions = {}): () => void {
  const { logs = true, extraModules = [], ...operations } = options;
  const forRoot = AppModule.forRoot;
  // createApp passes its HTTP adapter (Fastify) second, the app's options third.
  type Create = (
    module: unknown,
    adapter: unknown,
    appOptions?: { logger?: unknown; bufferLogs?: boolean },
  ) => Promise<INestApplication>;
  const factory = NestFactory as unknown as { create: Create };
  const create = factory.create;
  AppModule.forRoot = function (config) {
    const root = forRoot.call(this, config);
    const imports = (root.imports ?? []).filter((entry) => !isOperations(entry));
    return { ...root, imports: [...imports, OperationsModule.forRoot(operations), ...extraModules] };
  };
  factory.create = async function (this: unknown, module, adapter, appOptions = {}) {
    // The patch's bufferLogs: what Nest logs while it builds the app waits for pino.
    const app = await create.call(this, module, adapter, { ...appOptions, bufferLogs: appOptions.logger !== false });
    installOperations(app, { logs });
    return app;
  };
  return () => {
    AppModule.forRoot = forRoot;
    delete (factory as { create?: unknown }).create; // the prototype's method shows through again
    if (factory.create !== create) factory.create = create;
  };
}
