import { All, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChromaTenantsService } from '../chroma-tenants.service';
import { ChromaHttpError } from '../chroma-error';
import { MAX_BATCH_SIZE } from '../chroma-limits';

@ApiTags('Chroma')
@Controller('api')
export class ChromaSystemController {
  constructor(private readonly chroma: ChromaTenantsService) {}

  @ApiOperation({ summary: 'Heartbeat' })
  @ApiResponse({
    status: 200,
    description: 'The current time in nanoseconds',
    example: { 'nanosecond heartbeat': 1732000000000000000 },
  })
  @Get('v2/heartbeat')
  heartbeat() {
    return { 'nanosecond heartbeat': Date.now() * 1_000_000 };
  }

  @ApiOperation({
    summary: 'Server version',
    description: 'The Chroma version whose behaviour vecgate follows, as a JSON string',
  })
  @ApiResponse({ status: 200, description: 'A JSON string', schema: { type: 'string', example: '1.0.0' } })
  @Get('v2/version')
  version() {
    return '1.0.0';
  }

  @ApiOperation({
    summary: 'Pre-flight checks',
    description: 'Limits the client reads before writing: the largest batch and base64 embedding support',
  })
  @ApiResponse({
    status: 200,
    description: 'Limits',
    example: { max_batch_size: 5461, supports_base64_encoding: true },
  })
  @Get('v2/pre-flight-checks')
  preFlightChecks() {
    return { max_batch_size: MAX_BATCH_SIZE, supports_base64_encoding: true };
  }

  @ApiOperation({ summary: 'Health check' })
  @ApiResponse({ status: 200, description: 'Ready', example: { is_executor_ready: true, is_log_client_ready: true } })
  @Get('v2/healthcheck')
  healthcheck() {
    return { is_executor_ready: true, is_log_client_ready: true };
  }

  /** Without auth, the defaults (as Chroma); with a key, its tenant and databases ('*': all). */
  @ApiOperation({
    summary: 'Identity of the caller',
    description: 'Without auth, the default tenant and database; with an API key, its tenant and databases',
  })
  @ApiResponse({
    status: 200,
    description: 'The identity',
    example: { user_id: '', tenant: 'default_tenant', databases: ['default_database'] },
  })
  @Get('v2/auth/identity')
  identity() {
    return this.chroma.identity();
  }

  @ApiOperation({
    summary: 'Reset: delete every tenant, database and collection',
    description: 'Only when CHROMA_ALLOW_RESET=true; otherwise 403',
  })
  @ApiResponse({ status: 200, description: 'Everything was deleted', schema: { type: 'boolean', example: true } })
  @ApiResponse({ status: 403, description: 'Reset is disabled by config' })
  @Post('v2/reset')
  @HttpCode(200)
  reset() {
    return this.chroma.reset();
  }

  @ApiOperation({
    summary: 'Chroma v1 API (removed)',
    description: 'Every method and path under /api/v1 answers 410, as Chroma does',
  })
  @ApiParam({ name: 'path', type: String, description: 'Any path under /api/v1/' })
  @ApiResponse({ status: 410, description: 'The v1 API is deprecated. Please use /v2 apis' })
  @All('v1/*')
  v1() {
    throw new ChromaHttpError(410, 'Unimplemented', 'The v1 API is deprecated. Please use /v2 apis');
  }
}
