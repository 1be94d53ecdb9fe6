import { Controller, Get, Req, Res } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { protocolPortOf } from '../common/port-routing';
import { HealthService } from './health.service';

/** The load balancer's probes: liveness says the process answers, readiness that it can serve. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** On a protocol's port (Qdrant's), the same probes answer in that protocol's plain-text words. */
  @Get('healthz')
  liveness(@Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    const words = protocolPortOf(req.raw)?.probeWords;
    if (words) text(res, 200, words.live);
    else res.status(200).send({ status: 'ok' });
  }

  @Get('readyz')
  async readiness(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const readiness = await this.health.readiness();
    const words = protocolPortOf(req.raw)?.probeWords;
    if (words) text(res, readiness.ready ? 200 : 503, readiness.ready ? words.ready : words.notReady);
    else if (readiness.ready) res.status(200).send({ status: 'ready' });
    else res.status(503).send({ status: 'unavailable', reason: readiness.reason });
  }
}

/** A plain-text answer (a returned value is otherwise sent as JSON by JsonFastifyAdapter). */
function text(res: FastifyReply, status: number, body: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(body);
}
