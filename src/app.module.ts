import { DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './common/auth.guard';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { AuthModule } from './core/auth/auth.module';
import { IndexingModule } from './core/indexing/indexing.module';
import { DatabaseModule } from './database/database.module';
import { BulkImportModule } from './transfer/bulk-import/bulk-import.module';
import { AuthFailures } from './limits/auth-failures';
import { RateLimitGuard } from './limits/rate-limit.guard';
import { LimitsModule } from './limits/limits.module';
import { AdmissionGuard } from './limits/admission.guard';
import { OperationsModule } from './operations/operations.module';
import { InferenceModule } from './inference/inference.module';
import { InferenceService } from './inference/inference.service';
import { RERANKER } from './core/search/reranker';
import type { OperationsOptions } from './operations/operations-options';
import { PROTOCOL_MODULES } from './protocols/protocols';

/** The core's reranker port (core/search/reranker.ts) on the inference service: the core never imports src/inference. */
@Global()
@Module({ providers: [{ provide: RERANKER, useExisting: InferenceService }], exports: [RERANKER] })
class RerankerBinding {}

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    options: { operations?: Partial<OperationsOptions>; extraModules?: Type<unknown>[]; embeddedSeed?: Blob } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // The gateway makes its data directory on its first start: the two-command start needs it.
        DatabaseModule.forRoot(options.embeddedSeed, { program: 'gateway', createDataDir: true }),
        OperationsModule.forRoot(options.operations),
        // Text in: the providers the operator mapped, for the protocols that embed and rerank.
        InferenceModule.forRoot(config.inference),
        RerankerBinding,
        AuthModule,
        LimitsModule,
        // Every replica builds indexes in the background, whichever protocol wrote the records.
        IndexingModule,
        // Bulk imports run in the background too, on whichever replica takes each job.
        BulkImportModule,
        ...PROTOCOL_MODULES,
        ...(options.extraModules ?? []),
      ],
      // Global guards run in this order: identify the key first, then count its requests, then
      // give it its turn.
      providers: [
        AuthFailures,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AdmissionGuard },
      ],
    };
  }
}
