import { INestApplication } from '@nestjs/common';
import { RecordMetrics } from '../../../../src/operations/metrics';
import { RecordsService } from '../../../../src/records/records.service';

/**
 * Stands in for the proposed records.service.ts patch (see the operations report) while the
 * service does not inject RecordMetrics yet: counts what a committed write or delete returned,
 * exactly where the patch does. Once the service injects RecordMetrics this does nothing, so the
 * tests then check the real calls.
 */
const metricsOf = new WeakMap<object, RecordMetrics>();
let patched = false;

export function serviceReportsRecords(): boolean {
  const params: unknown[] = Reflect.getMetadata('design:paramtypes', RecordsService) ?? [];
  return params.includes(RecordMetrics);
}

export function attachRecordMetricsShim(app: INestApplication): void {
  if (serviceReportsRecords()) return;
  metricsOf.set(app.get(RecordsService, { strict: false }), app.get(RecordMetrics, { strict: false }));
  if (patched) return;
  patched = true;
  const proto = RecordsService.prototype as any;
  const wrap = (name: string, report: (m: RecordMetrics, args: any[], result: any) => void) => {
    const original = proto[name];
    proto[name] = async function (this: object, ...args: any[]) {
      const result = await original.apply(this, args);
      const metrics = metricsOf.get(this);
      if (metrics) report(metrics, args, result);
      return result;
    };
  };
  wrap('write', (m, [, , mode], n: number) => m.written(mode, n));
  wrap('delete', (m, _args, n: number) => m.deleted(n));
  wrap('deleteReturningIds', (m, _args, ids: string[]) => m.deleted(ids.length));
  wrap('patchMetadata', (m, [, , , , , dryRun], n: number) => !dryRun && m.written('patch', n));
}
