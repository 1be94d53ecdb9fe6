import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { DELETION_PROTECTION, prop } from './schemas';

/* The fields are checked by PineconeBackupsService and index-spec.ts; anything else is a 400. */

@ApiSchema({ name: 'PineconeCreateBackup', description: 'Body of create backup (may be `{}`)' })
export class CreateBackupDto {
  @ApiPropertyOptional({ type: 'string', description: "1 to 45 lowercase letters, digits and '-'", example: 'nightly' })
  @IsOptional()
  name?: unknown;

  @ApiPropertyOptional({ type: 'string', maxLength: 1000, description: 'Free text', example: 'before the migration' })
  @IsOptional()
  description?: unknown;
}

@ApiSchema({ name: 'PineconeCreateIndexFromBackup', description: 'Body of create index from backup' })
export class CreateIndexFromBackupDto {
  @ApiProperty({
    type: 'string',
    description: 'The new index name (the rules of create index)',
    example: 'movies-restored',
  })
  @IsString()
  name: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Tags of the new index',
  })
  @IsOptional()
  tags?: unknown;

  @ApiPropertyOptional(prop({ ...DELETION_PROTECTION, default: 'disabled' }))
  @IsOptional()
  deletion_protection?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Read capacity of the new index (as create index)',
  })
  @IsOptional()
  read_capacity?: unknown;
}
