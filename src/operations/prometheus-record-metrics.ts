import { Injectable } from '@nestjs/common';
import type { RecordMetrics } from '../core/records/record-metrics';
import { Metrics } from './metrics';
import { MetricsHistory } from './metrics-history';
import { currentRequest } from './request-context';

/**
 * The core's RecordMetrics as Prometheus counters. The protocol label comes from the request being
 * served, so the core services stay protocol-free.
 */
@Injectable()
export class PrometheusRecordMetrics implements RecordMetrics {
  constructor(
    private readonly metrics: Metrics,
    private readonly history: MetricsHistory,
  ) {}

  searched(collectionId: string, ms: number): void {
    this.history.searched(collectionId, ms);
  }

  written(operation: string, count: number): void {
    if (count > 0)
      this.metrics.recordsWritten.inc({ protocol: currentRequest()?.protocol ?? 'other', operation }, count);
  }

  deleted(count: number): void {
    if (count > 0) this.metrics.recordsDeleted.inc({ protocol: currentRequest()?.protocol ?? 'other' }, count);
  }
}
