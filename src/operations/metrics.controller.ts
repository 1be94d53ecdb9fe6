import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Metrics } from './metrics';
import { clusterMetrics } from './workers';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /** Prometheus text format, written here because a returned value is sent as JSON (JsonFastifyAdapter). */
  @Get('metrics')
  async scrape(@Res() res: FastifyReply): Promise<void> {
    // Under VECGATE_WORKERS, one scrape answers for every worker process of the gateway.
    const text = (await clusterMetrics()) ?? (await this.metrics.registry.metrics());
    res.status(200).type(this.metrics.registry.contentType).send(text);
  }
}
