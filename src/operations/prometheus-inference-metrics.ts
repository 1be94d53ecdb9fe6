import { Injectable } from '@nestjs/common';
import type { InferenceMetrics } from '../inference/inference-metrics';
import { Metrics } from './metrics';

/** The inference module's calls and retries as Prometheus counters. */
@Injectable()
export class PrometheusInferenceMetrics implements InferenceMetrics {
  constructor(private readonly metrics: Metrics) {}

  called(provider: string, model: string, outcome: string, seconds: number): void {
    this.metrics.inferenceCalls.inc({ provider, model, outcome });
    this.metrics.inferenceDuration.observe({ provider, model }, seconds);
  }

  retried(provider: string, model: string, reason: string): void {
    this.metrics.inferenceRetries.inc({ provider, model, reason });
  }
}
