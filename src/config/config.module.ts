import { DynamicModule, Global, Module } from '@nestjs/common';
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
      ],
      exports: [APP_CONFIG, INDEXING_OPTIONS, ANSWER_BYTES],
    };
  }
}
