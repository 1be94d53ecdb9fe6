import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

/* The console's bodies are checked by ConsoleService; the classes here describe them in OpenAPI. */

const DIALECT = {
  type: 'string',
  enum: ['chroma', 'pinecone', 'vectorizer', 'qdrant'],
  description: "The protocol whose filter dialect `filter` is written in (default: the collection's own)",
} as const;

@ApiSchema({ name: 'ConsoleFilter', description: 'A filter in one protocol’s dialect, as typed' })
export class ConsoleFilterDto {
  @ApiPropertyOptional(DIALECT)
  @IsOptional()
  dialect?: unknown;

  @ApiPropertyOptional({
    type: 'string',
    description: 'The filter as JSON text in the dialect (Chroma `where`, Pinecone `filter`, ...); empty: none',
    example: '{"genre": {"$eq": "jazz"}}',
  })
  @IsOptional()
  filter?: unknown;

  @ApiPropertyOptional({ type: 'string', description: 'Chroma only: `where_document` as JSON text' })
  @IsOptional()
  whereDocument?: unknown;

  @ApiPropertyOptional({ type: 'string', description: "A Pinecone namespace (default: '')" })
  @IsOptional()
  namespace?: unknown;
}

@ApiSchema({ name: 'ConsoleRecordsQuery', description: 'A page of the records a filter keeps' })
export class ConsoleRecordsDto extends ConsoleFilterDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  limit?: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @IsOptional()
  offset?: unknown;

  @ApiPropertyOptional({ type: 'string', enum: ['asc', 'desc'], default: 'asc', description: 'Order of ids' })
  @IsOptional()
  order?: unknown;
}

@ApiSchema({ name: 'ConsoleSearch', description: 'Nearest neighbours of a record or of a vector' })
export class ConsoleSearchDto extends ConsoleFilterDto {
  @ApiPropertyOptional({ type: 'string', description: 'The id of a record whose vector is the query' })
  @IsOptional()
  id?: unknown;

  @ApiPropertyOptional({ type: 'array', items: { type: 'number' }, description: 'A query vector' })
  @IsOptional()
  vector?: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  k?: unknown;
}

@ApiSchema({ name: 'ConsoleExplain', description: 'What a read, a search or a delete does in Postgres' })
export class ConsoleExplainDto extends ConsoleSearchDto {
  @ApiPropertyOptional({ type: 'string', enum: ['find', 'search', 'delete'], default: 'find' })
  @IsOptional()
  operation?: unknown;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'EXPLAIN ANALYZE: runs the statement in a transaction that is rolled back (a delete deletes nothing)',
  })
  @IsOptional()
  analyze?: unknown;
}

@ApiSchema({ name: 'ConsoleDelete', description: 'Delete the records a filter keeps, or count them first' })
export class ConsoleDeleteDto extends ConsoleFilterDto {
  @ApiProperty({ type: 'boolean', description: 'true: only count what would be deleted' })
  @IsOptional()
  dryRun?: unknown;
}

@ApiSchema({ name: 'ConsoleCreateKey', description: 'A new API key (its secret is answered once)' })
export class ConsoleCreateKeyDto {
  @ApiPropertyOptional({ type: 'string', description: "The key's tenant (an admin key: its own, the default)" })
  @IsOptional()
  tenant?: unknown;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' }, description: 'Databases it reaches (default: all)' })
  @IsOptional()
  databases?: unknown;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: "It may manage its tenant's keys too" })
  @IsOptional()
  admin?: unknown;
}

@ApiSchema({ name: 'ConsoleError', description: "The console API's error body" })
export class ConsoleErrorModel {
  @ApiProperty({
    type: 'object',
    properties: {
      code: { type: 'string' },
      message: { type: 'string' },
      dialect: { type: 'string', description: "A filter's parse error: the protocol whose words the message is in" },
    },
    example: {
      code: 'invalid_filter',
      message:
        'Invalid where clause: unknown operator "$bad" on key "genre"; expected one of $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $not_contains',
      dialect: 'chroma',
    },
  })
  error: { code: string; message: string; dialect?: string };
}

export const CONSOLE_MODELS = [ConsoleErrorModel];
