import { DynamicModule, Global, Module } from '@nestjs/common';
import { MAX_BACKUPS_PER_COLLECTION } from '../core/backups/backup.model';
import { INDEXING_OPTIONS } from '../core/indexing/indexing-options';
import { ANSWER_BYTES } from '../core/records/answer-budget';
import { APP_CONFIG, AppConfig } from './app-config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INDEXING_OPTIONS, useValue: config.indexing },
        { provide: ANSWER_BYTES, useValue: config.maxAnswerBytes },
        { provide: MAX_BACKUPS_PER_COLLECTION, useValue: config.maxBackupsPerCollection },
      ],
      exports: [APP_CONFIG, INDEXING_OPTIONS, ANSWER_BYTES, MAX_BACKUPS_PER_COLLECTION],
    };
  }
}
