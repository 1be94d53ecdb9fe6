import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ConsoleService } from '../console.service';
import { ConsoleCreateKeyDto } from '../dto/console.dto';

@ApiTags('Console')
@Controller('console/api')
export class OperateController {
  constructor(private readonly console: ConsoleService) {}

  @ApiOperation({ summary: "This replica's request rate and latency per protocol, the last 30 minutes" })
  @Get('metrics')
  metrics() {
    return this.console.metrics();
  }

  @ApiOperation({ summary: 'Bulk imports, backups and restores, with their progress' })
  @Get('jobs')
  jobs() {
    return this.console.jobs();
  }

  @ApiOperation({ summary: "API keys (an admin key: its tenant's), without secrets" })
  @Get('keys')
  keys() {
    return this.console.listKeys();
  }

  @ApiOperation({ summary: 'Create an API key: the answer holds its secret, shown once' })
  @Post('keys')
  createKey(@Body() body: ConsoleCreateKeyDto) {
    return this.console.createKey({ ...body });
  }

  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'The key the request is signed in with is refused (409) unless `self=true`: revoking it signs the caller out.',
  })
  @ApiQuery({ name: 'self', required: false, description: '`true`: revoke the key this request is signed in with' })
  @Delete('keys/:id')
  revokeKey(@Param('id') id: string, @Query('self') self?: string) {
    return this.console.revokeKey(id, self === 'true');
  }
}
