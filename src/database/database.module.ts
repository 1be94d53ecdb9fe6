import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Database, DATABASE_OPENER, type DatabaseOpener, EMBEDDED_SEED } from './database';

@Global()
@Module({})
export class DatabaseModule {
  /**
   * `embeddedSeed`: see EMBEDDED_SEED (the tests open every in-memory database from one migrated
   * dump). `opener`: which program opens it, and whether it may create an embedded one.
   */
  static forRoot(embeddedSeed?: Blob, opener: DatabaseOpener = {}): DynamicModule {
    const seed = embeddedSeed ? [{ provide: EMBEDDED_SEED, useValue: embeddedSeed }] : [];
    return {
      module: DatabaseModule,
      providers: [Database, { provide: DATABASE_OPENER, useValue: opener }, ...seed],
      exports: [Database],
    };
  }
}
