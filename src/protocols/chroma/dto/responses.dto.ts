import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/*
 * Documentation only: the shapes Chroma routes answer with (collection.mapper.ts, chroma-errors.renderer.ts).
 * setupOpenApi registers these schemas; the routes reference them by name.
 */

@ApiSchema({ name: 'ChromaCollection', description: 'A collection, as Chroma returns it' })
export class ChromaCollectionModel {
  @ApiProperty({ type: 'string', format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'string', example: 'docs' })
  name: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      '`hnsw` (space, ef_construction, ef_search, max_neighbors, resize_factor, sync_threshold, ...) or `spann`, and `embedding_function`',
    example: {
      hnsw: {
        space: 'cosine',
        ef_construction: 100,
        ef_search: 100,
        max_neighbors: 16,
        resize_factor: 1.2,
        sync_threshold: 1000,
      },
      spann: null,
      embedding_function: null,
    },
  })
  configuration_json: Record<string, unknown>;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, example: { topic: 'science' } })
  metadata: Record<string, unknown> | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Fixed by the first write; null before it',
    example: 384,
  })
  dimension: number | null;

  @ApiProperty({ type: 'string', example: 'default_tenant' })
  tenant: string;

  @ApiProperty({ type: 'string', example: 'default_database' })
  database: string;

  @ApiProperty({ type: 'integer', example: 0 })
  log_position: number;

  @ApiProperty({ type: 'integer', example: 0 })
  version: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The schema sent at creation (3.x client), when there was one',
  })
  schema?: Record<string, unknown>;
}

@ApiSchema({ name: 'ChromaError', description: "Chroma's error body" })
export class ChromaErrorModel {
  @ApiProperty({
    type: 'string',
    description: 'InvalidArgumentError (400), NotFoundError (404), InternalError (500) or ChromaError (other statuses)',
    example: 'NotFoundError',
  })
  error: string;

  @ApiProperty({ type: 'string', example: 'Collection [docs] does not exists' })
  message: string;
}

export const CHROMA_MODELS = [ChromaCollectionModel, ChromaErrorModel];
