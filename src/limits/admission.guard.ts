import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isProbe } from '../common/request-path';
import { currentPrincipal } from '../core/auth/request-context';
import { Admission } from './admission';

/**
 * Takes each request through admission control (admission.ts) once it is authenticated and within
 * its rate: a turn per client (its API key, else its address), the turn ending when the answer has
 * gone out or the client has gone away. Probes never wait.
 */
@Injectable()
export class AdmissionGuard implements CanActivate {
  constructor(@Inject(Admission) private readonly admission: Admission) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.admission.enabled) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (isProbe(req.url)) return true;
    const res = context.switchToHttp().getResponse<FastifyReply>().raw;
    const ticket = this.admission.enter(currentPrincipal()?.keyId ?? `ip:${req.ip}`);
    // 'close' comes once the answer is sent, or when the connection drops first (the turn, or the
    // place in the queue, is given up either way).
    res.once('close', ticket.done);
    if (res.destroyed) ticket.done();
    await ticket.admitted;
    return true;
  }
}
