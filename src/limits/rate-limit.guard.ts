import { CanActivate, ExecutionContext, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { isProbe } from '../common/request-path';
import { currentPrincipal } from '../core/auth/request-context';
import { RateLimitedError } from '../core/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MemoryRateLimiter, RateLimiter, RedisRateLimiter } from './rate-limiter';

/**
 * VECGATE_RATE_LIMIT requests per second per API key (per client address when auth is off),
 * counted in Redis when REDIS_URL is set so that the limit holds across replicas. Runs after the
 * auth guard, which has identified the key.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleDestroy {
  private readonly limiter: RateLimiter | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.rateLimitPerSecond > 0) {
      this.limiter = config.redisUrl
        ? new RedisRateLimiter(config.redisUrl, config.rateLimitPerSecond)
        : new MemoryRateLimiter(config.rateLimitPerSecond);
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (isProbe(req.url)) return true; // a load balancer's probes must never be throttled
    const caller = currentPrincipal()?.keyId ?? `ip:${req.ip}`;
    if (!(await this.limiter.take(caller))) throw new RateLimitedError(1);
    return true;
  }

  async onModuleDestroy(): Promise<void> {
    await this.limiter?.close();
  }
}
