import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from '../limits/rate-limit.guard';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';

@Global()
@Module({
  imports: [TenantsModule],
  // Global guards run in this order: identify the key first, then count its requests.
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
