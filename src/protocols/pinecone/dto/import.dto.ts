import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsDefined, IsOptional } from 'class-validator';

/* The fields are checked by PineconeBulkImportsService; anything else is a 400. */

@ApiSchema({ name: 'PineconeStartImport', description: 'Body of start import' })
export class StartImportDto {
  @ApiProperty({
    type: 'string',
    maxLength: 1500,
    description:
      "What to import: a `file://` directory in Pinecone's import layout (or one .parquet file) below VECGATE_IMPORT_ROOTS, or an `http(s)://` URL of one .parquet file below VECGATE_IMPORT_URLS",
    example: 'file:///srv/imports/catalog',
  })
  @IsDefined()
  uri: unknown;

  @ApiPropertyOptional({ type: 'string', description: 'Accepted and ignored: vecgate has no storage integrations' })
  @IsOptional()
  integrationId?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    properties: { onError: { type: 'string', enum: ['continue', 'abort'] } },
    description:
      '`continue` (the default) skips records that cannot be imported; `abort` fails the import at the first',
    example: { onError: 'abort' },
  })
  @IsOptional()
  errorMode?: unknown;
}
