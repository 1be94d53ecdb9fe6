import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/*
 * Documentation only: the shapes Vectorizer routes answer with (collection.mapper.ts, vectorizer-errors.renderer.ts).
 * setupOpenApi registers these schemas; the routes reference them by name.
 */

@ApiSchema({
  name: 'VectorizerCollection',
  description: 'A collection, as the Vectorizer server describes it (plus the `similarity_metric` its SDK reads)',
})
export class VectorizerCollectionModel {
  @ApiProperty({ type: 'string', example: 'my_collection' })
  name: string;

  @ApiProperty({ type: 'integer', example: 2 })
  vector_count: number;

  @ApiProperty({ type: 'integer', example: 0 })
  document_count: number;

  @ApiProperty({ type: 'integer', example: 3 })
  dimension: number;

  @ApiProperty({ type: 'string', enum: ['Cosine', 'Euclidean', 'DotProduct'] })
  metric: string;

  @ApiProperty({ type: 'string', enum: ['cosine', 'euclidean', 'dot_product'] })
  similarity_metric: string;

  @ApiProperty({ type: 'string', example: 'none' })
  embedding_provider: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { enabled: false, type: 'None', bits: 0 } })
  quantization: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  normalization: Record<string, unknown>;

  @ApiProperty({ type: 'string', example: 'ready' })
  status: string;
}

@ApiSchema({ name: 'VectorizerError', description: "Vectorizer's error body (native and Qdrant-compatible routes)" })
export class VectorizerErrorModel {
  @ApiProperty({
    type: 'string',
    description:
      'validation_error, parse_error, bad_request, collection_not_found, vector_not_found, collection_already_exists, ...',
    example: 'collection_not_found',
  })
  error_type: string;

  @ApiProperty({ type: 'string', example: 'Collection not found: my_collection' })
  message: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { collection_name: 'my_collection' } })
  details?: Record<string, unknown>;

  @ApiProperty({ type: 'integer', example: 404 })
  status_code: number;
}

export const VECTORIZER_MODELS = [VectorizerCollectionModel, VectorizerErrorModel];
