import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/*
 * Documentation only: the shapes Pinecone routes answer with (index.mapper.ts, pinecone-errors.renderer.ts).
 * setupOpenApi registers these schemas; the routes reference them by name.
 */

@ApiSchema({
  name: 'PineconeIndex',
  description:
    'An IndexModel, with both the 2026-07 fields (`deployment`, `schema`) and the legacy ones (`dimension`, `metric`, `spec`, `vector_type`)',
})
export class PineconeIndexModel {
  @ApiProperty({ type: 'string', example: 'movies' })
  name: string;

  @ApiProperty({
    type: 'string',
    description: "The index's data plane: the gateway's URL (PUBLIC_URL or the request's) + /indexes/{name}",
    example: 'http://localhost:8000/indexes/movies',
  })
  host: string;

  @ApiProperty({
    type: 'object',
    properties: { ready: { type: 'boolean' }, state: { type: 'string' } },
    example: { ready: true, state: 'Ready' },
  })
  status: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
  })
  deployment: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'cosine' } } },
  })
  schema: Record<string, unknown>;

  @ApiProperty({ type: 'string', enum: ['enabled', 'disabled'] })
  deletion_protection: string;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: { type: 'string' } })
  tags: Record<string, string> | null;

  @ApiProperty({ type: 'string', enum: ['cosine', 'euclidean', 'dotproduct'] })
  metric: string;

  @ApiProperty({ type: 'string', enum: ['dense', 'sparse'] })
  vector_type: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { serverless: { cloud: 'aws', region: 'us-east-1' } },
  })
  spec: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'integer', description: 'Dense indexes only', example: 3 })
  dimension?: number;
}

@ApiSchema({ name: 'PineconeControlError', description: 'Error body of the control plane (/indexes, /indexes/{name})' })
export class PineconeControlErrorModel {
  @ApiProperty({
    type: 'object',
    properties: {
      code: { type: 'string', example: 'NOT_FOUND' },
      message: { type: 'string', example: 'Index movies not found.' },
    },
  })
  error: Record<string, unknown>;

  @ApiProperty({ type: 'integer', example: 404 })
  status: number;
}

@ApiSchema({ name: 'PineconeDataError', description: "Error body of an index's data plane (/indexes/{index}/...)" })
export class PineconeDataErrorModel {
  @ApiProperty({
    type: 'integer',
    description: 'gRPC status code (3 invalid argument, 5 not found, 6 already exists, ...)',
    example: 3,
  })
  code: number;

  @ApiProperty({ type: 'string', example: 'Vector dimension 4 does not match the dimension of the index 3' })
  message: string;

  @ApiProperty({ type: 'array', items: { type: 'object' }, example: [] })
  details: unknown[];
}

export const PINECONE_MODELS = [PineconeIndexModel, PineconeControlErrorModel, PineconeDataErrorModel];
