import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Admission } from './admission';

/** The process-wide admission queue: global, so that /metrics reads the queue the guard fills. */
@Global()
@Module({
  providers: [
    { provide: Admission, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new Admission(config.admission) },
  ],
  exports: [Admission],
})
export class LimitsModule {}
