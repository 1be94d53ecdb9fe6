import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { createOperationsLogger, OPERATIONS_LOGGER, PinoNestLogger } from './logger';
import { RECORD_METRICS } from '../core/records/record-metrics';
import { Metrics } from './metrics';
import { PrometheusRecordMetrics } from './prometheus-record-metrics';
import { PrometheusInferenceMetrics } from './prometheus-inference-metrics';
import { INFERENCE_METRICS } from '../inference/inference-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsHistory } from './metrics-history';
import { loadOperationsOptions, OPERATIONS_OPTIONS, OperationsOptions } from './operations-options';

/**
 * Running the gateway for real: /healthz, /readyz, /metrics, JSON logs with request ids. Global,
 * so that the records services find the core's RECORD_METRICS without importing operations.
 */
@Global()
@Module({})
export class OperationsModule {
  /** Options from the environment (LOG_LEVEL, VECGATE_READY_TIMEOUT_MS, VECGATE_SHUTDOWN_TIMEOUT_MS) unless given. */
  static forRoot(overrides: Partial<OperationsOptions> = {}): DynamicModule {
    const options: OperationsOptions = { ...loadOperationsOptions(), ...overrides };
    return {
      module: OperationsModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useValue: options },
        { provide: OPERATIONS_LOGGER, useFactory: () => createOperationsLogger(options) },
        Metrics,
        MetricsHistory,
        { provide: RECORD_METRICS, useClass: PrometheusRecordMetrics },
        { provide: INFERENCE_METRICS, useClass: PrometheusInferenceMetrics },
        HealthService,
        PinoNestLogger,
      ],
      exports: [
        OPERATIONS_OPTIONS,
        OPERATIONS_LOGGER,
        Metrics,
        MetricsHistory,
        RECORD_METRICS,
        INFERENCE_METRICS,
        HealthService,
        PinoNestLogger,
      ],
    };
  }
}
