import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Database, EMBEDDED_SEED } from './database';

@Global()
@Module({})
export class DatabaseModule {
  /** `embeddedSeed`: see EMBEDDED_SEED (the tests open every in-memory database from one migrated dump). */
  static forRoot(embeddedSeed?: Blob): DynamicModule {
    const seed = embeddedSeed ? [{ provide: EMBEDDED_SEED, useValue: embeddedSeed }] : [];
    return { module: DatabaseModule, providers: [Database, ...seed], exports: [Database] };
  }
}
