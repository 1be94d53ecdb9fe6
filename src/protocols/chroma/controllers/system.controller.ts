import { All, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { currentPrincipal } from '../../../auth/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { CollectionsService } from '../../../collections/collections.service';
import { ChromaHttpError } from '../chroma-error';

/** Chroma's largest batch; the JS client refuses to write without a positive one. */
export const MAX_BATCH_SIZE = 5461;

@Controller('api')
export class ChromaSystemController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly collections: CollectionsService,
  ) {}

  @Get('v2/heartbeat')
  heartbeat() {
    return { 'nanosecond heartbeat': Date.now() * 1_000_000 };
  }

  @Get('v2/version')
  version() {
    return '1.0.0';
  }

  @Get('v2/pre-flight-checks')
  preFlightChecks() {
    return { max_batch_size: MAX_BATCH_SIZE, supports_base64_encoding: true };
  }

  @Get('v2/healthcheck')
  healthcheck() {
    return { is_executor_ready: true, is_log_client_ready: true };
  }

  /** Without auth, the defaults (as Chroma); with a key, its tenant and databases ('*': all). */
  @Get('v2/auth/identity')
  identity() {
    const principal = currentPrincipal();
    if (!principal) return { user_id: '', tenant: 'default_tenant', databases: ['default_database'] };
    return { user_id: principal.keyId, tenant: principal.tenant, databases: principal.databases ?? ['*'] };
  }

  @Post('v2/reset')
  @HttpCode(200)
  async reset() {
    if (!this.config.chromaAllowReset) throw new ChromaHttpError(403, 'ChromaError', 'Reset is disabled by config');
    await this.collections.reset();
    return true;
  }

  @All('v1/*path')
  v1() {
    throw new ChromaHttpError(410, 'Unimplemented', 'The v1 API is deprecated. Please use /v2 apis');
  }
}
