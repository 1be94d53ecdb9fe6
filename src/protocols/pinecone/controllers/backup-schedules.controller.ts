import { All, Controller } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PineconeControlError } from '../pinecone-error';

/**
 * Pinecone's backup schedules (API 2026-07) are not run by vecgate: a gateway that took backups on
 * its own clock would need a scheduler of its own across replicas, and an operator's cron calling
 * `POST /indexes/{name}/backups` does the same with the tools they have. Every route answers a
 * 400 that says so, in the control plane's shape, rather than a bare 404.
 */
@ApiTags('Pinecone control plane')
@Controller()
export class PineconeBackupSchedulesController {
  @ApiOperation({
    summary: 'Backup schedules (not run by vecgate)',
    description:
      'Every backup-schedule route answers 400: take backups with POST /indexes/{name}/backups on your own schedule.',
  })
  @ApiResponse({ status: 400, description: 'Backup schedules are not run by vecgate' })
  @All(['indexes/:index/backup-schedules', 'backup-schedules/:id', 'backup-schedules/:id/history'])
  refuse(): never {
    throw PineconeControlError.invalid(
      'vecgate does not run backup schedules: take backups with POST /indexes/{index_name}/backups on your own schedule (cron, for instance), and delete old ones with DELETE /backups/{backup_id}',
    );
  }
}
