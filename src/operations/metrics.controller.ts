import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Metrics } from './metrics';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /** Prometheus text format, written here because a returned value is sent as JSON (JsonFastifyAdapter). */
  @Get('metrics')
  async scrape(@Res() res: FastifyReply): Promise<void> {
    const text = await this.metrics.registry.metrics();
    res.status(200).type(this.metrics.registry.contentType).send(text);
  }
}
