import { Controller, Delete, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PineconeControlError } from '../pinecone-error';
import { PineconeApiVersionGuard } from '../api-version.guard';

/**
 * Pinecone's backup schedules (API 2026-07) are not run by vecgate: a gateway that took backups on
 * its own clock would need a scheduler of its own across replicas, and an operator's cron calling
 * `POST /indexes/{name}/backups` does the same with the tools they have. Every route answers a
 * 400 that says so, in the control plane's shape, rather than a bare 404.
 */
function refusal(): PineconeControlError {
  return PineconeControlError.invalid(
    'vecgate does not run backup schedules: take backups with POST /indexes/{index_name}/backups on your own schedule (cron, for instance), and delete old ones with DELETE /backups/{backup_id}',
  );
}

const REFUSED = {
  status: 400,
  description: 'Backup schedules are not run by vecgate: take backups with POST /indexes/{name}/backups',
};

@ApiTags('Pinecone control plane')
@UseGuards(PineconeApiVersionGuard)
@Controller()
export class PineconeBackupSchedulesController {
  @ApiOperation({ summary: "List an index's backup schedules (refused)" })
  @ApiParam({ name: 'index', type: String })
  @ApiResponse(REFUSED)
  @Get('indexes/:index/backup-schedules')
  list(@Param('index') _index: string): never {
    throw refusal();
  }

  @ApiOperation({ summary: 'Create a backup schedule (refused)' })
  @ApiParam({ name: 'index', type: String })
  @ApiResponse(REFUSED)
  @Post('indexes/:index/backup-schedules')
  create(@Param('index') _index: string): never {
    throw refusal();
  }

  @ApiOperation({ summary: 'Describe a backup schedule (refused)' })
  @ApiParam({ name: 'schedule', type: String })
  @ApiResponse(REFUSED)
  @Get('backup-schedules/:schedule')
  describe(@Param('schedule') _schedule: string): never {
    throw refusal();
  }

  @ApiOperation({ summary: 'Update a backup schedule (refused)' })
  @ApiParam({ name: 'schedule', type: String })
  @ApiResponse(REFUSED)
  @Patch('backup-schedules/:schedule')
  update(@Param('schedule') _schedule: string): never {
    throw refusal();
  }

  @ApiOperation({ summary: 'Delete a backup schedule (refused)' })
  @ApiParam({ name: 'schedule', type: String })
  @ApiResponse(REFUSED)
  @Delete('backup-schedules/:schedule')
  delete(@Param('schedule') _schedule: string): never {
    throw refusal();
  }

  @ApiOperation({ summary: "A backup schedule's history (refused)" })
  @ApiParam({ name: 'schedule', type: String })
  @ApiResponse(REFUSED)
  @Get('backup-schedules/:schedule/history')
  history(@Param('schedule') _schedule: string): never {
    throw refusal();
  }
}
