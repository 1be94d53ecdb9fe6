import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { HealthService } from './health.service';

/** The load balancer's probes: liveness says the process answers, readiness that it can serve. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('healthz')
  liveness() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readiness(@Res({ passthrough: true }) res: FastifyReply) {
    const readiness = await this.health.readiness();
    if (readiness.ready) return { status: 'ready' };
    res.status(503);
    return { status: 'unavailable', reason: readiness.reason };
  }
}
