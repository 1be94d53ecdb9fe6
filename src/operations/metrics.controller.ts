import { Controller, Get, Res } from '@nestjs/common';
import { Response } from 'express';
import { Metrics } from './metrics';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /**
   * Prometheus text format, written here because the global interceptor would make it JSON, and
   * with end() because send() would rewrite the content type's parameters.
   */
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    res.status(200).setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(text);
  }
}
