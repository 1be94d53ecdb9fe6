import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsArray, IsDefined, IsObject, IsOptional, IsString } from 'class-validator';
import { DELETE_IDS, FILTER, INSERT_ITEM, METRIC, prop, SEARCH_LIMIT, THRESHOLD, UPDATE_ITEM, VECTOR } from './schemas';

@ApiSchema({
  name: 'VectorizerCreateCollection',
  description: 'Body of create collection (409 when the name is taken)',
})
export class CreateCollectionDto {
  @ApiProperty({ type: 'string', minLength: 1, description: 'Collection name, not blank', example: 'my_collection' })
  @IsDefined()
  @IsString()
  name: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 16000,
    default: 512,
    description: 'Vector dimension',
    example: 3,
  })
  @IsOptional()
  dimension?: unknown;

  @ApiPropertyOptional(prop({ ...METRIC, example: 'cosine' }))
  @IsOptional()
  metric?: unknown;

  /** The TypeScript SDK's name for metric. */
  @ApiPropertyOptional(
    prop({
      ...METRIC,
      description: `The TypeScript SDK's name for metric, used when metric is absent. ${METRIC.description}`,
      example: 'dot_product',
    }),
  )
  @IsOptional()
  similarity_metric?: unknown;
}

@ApiSchema({
  name: 'VectorizerInsertVectors',
  description:
    'Body of insert_vectors and batch_insert: a non-empty list of vectors, all of one dimension. The collection is created (cosine, that dimension) ' +
    'when it does not exist. A batch with any invalid item is refused whole (400) and writes nothing.',
})
export class InsertVectorsDto {
  @ApiProperty({ type: 'string', description: 'Target collection', example: 'my_collection' })
  @IsDefined()
  @IsString()
  collection: string;

  @ApiPropertyOptional({
    type: 'array',
    minItems: 1,
    items: INSERT_ITEM,
    description:
      'The vectors: required (a missing or empty list is a 400), except that batch_insert also takes them as `texts`',
    example: [
      { id: 'vec_001', embedding: [1, 0, 0], payload: { category: 'old_docs' } },
      { id: 'vec_002', embedding: [0, 1, 0], payload: { category: 'new' } },
    ],
  })
  @IsOptional()
  @IsArray()
  vectors?: unknown[];

  /** /batch_insert's items, which vecgate takes when each carries an embedding. */
  @ApiPropertyOptional({
    type: 'array',
    minItems: 1,
    items: INSERT_ITEM,
    description:
      "batch_insert only, when `vectors` is absent: Vectorizer's text items, taken when each carries its embedding (vecgate does not embed text)",
  })
  @IsOptional()
  @IsArray()
  texts?: unknown[];
}

@ApiSchema({
  name: 'VectorizerBatchUpdate',
  description: 'Body of batch_update: the whole batch is checked before anything is written',
})
export class BatchUpdateDto {
  @ApiProperty({ type: 'string', description: 'Collection', example: 'my_collection' })
  @IsDefined()
  @IsString()
  collection: string;

  @ApiProperty({ type: 'array', minItems: 1, items: UPDATE_ITEM, description: 'A non-empty list of updates' })
  @IsDefined()
  @IsArray()
  updates: unknown[];
}

@ApiSchema({ name: 'VectorizerDeleteIds', description: 'Body of POST /collections/{collection}/batch_delete' })
export class IdsDto {
  @ApiProperty(prop(DELETE_IDS))
  @IsDefined()
  @IsArray()
  ids: unknown[];
}

@ApiSchema({ name: 'VectorizerBatchDelete', description: 'Body of POST /batch_delete' })
export class BatchDeleteDto extends IdsDto {
  @ApiProperty({ type: 'string', description: 'Collection', example: 'my_collection' })
  @IsDefined()
  @IsString()
  collection: string;
}

@ApiSchema({ name: 'VectorizerDeleteByFilter', description: 'Body of delete_by_filter' })
export class FilterDto {
  // Documented as required: both routes that take this body refuse it without a filter (400), though the DTO lets it through.
  @ApiProperty(
    prop({
      ...FILTER,
      description: `A filter with at least one condition: a missing filter, or one without any condition, is a 400 (nobody empties a collection by accident). ${FILTER.description}`,
      example: { created_at: { $lt: '2024-01-01' } },
    }),
  )
  @IsOptional()
  filter?: unknown;
}

@ApiSchema({
  name: 'VectorizerSearch',
  description:
    'Body of search: the `limit` best matches among the vectors the filter selects (the filter is applied inside the search)',
})
export class SearchDto {
  @ApiPropertyOptional({
    type: 'string',
    description: 'Collection: required by POST /search (400 without it), ignored by /collections/{collection}/search',
    example: 'my_collection',
  })
  @IsOptional()
  @IsString()
  collection?: string;

  @ApiProperty(prop({ ...VECTOR, description: `Query vector: ${VECTOR.description}`, example: [1, 0, 0] }))
  @IsDefined()
  vector: unknown;

  @ApiPropertyOptional(prop({ ...SEARCH_LIMIT, nullable: true }))
  @IsOptional()
  limit?: unknown;

  @ApiPropertyOptional(prop({ ...THRESHOLD, nullable: true }))
  @IsOptional()
  threshold?: unknown;

  @ApiPropertyOptional(
    prop({
      ...FILTER,
      description: `Only vectors whose payload this filter selects (\`{}\`: all). ${FILTER.description}`,
    }),
  )
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

@ApiSchema({
  name: 'VectorizerBatchSearch',
  description: 'Body of batch_search: each query answered as /search would; a failing query fails alone',
})
export class BatchSearchDto {
  @ApiProperty({ type: 'string', description: 'Collection', example: 'my_collection' })
  @IsDefined()
  @IsString()
  collection: string;

  @ApiProperty({
    type: 'array',
    minItems: 1,
    description: 'A non-empty list of queries',
    items: {
      type: 'object',
      required: ['vector'],
      properties: {
        vector: VECTOR,
        limit: SEARCH_LIMIT,
        threshold: THRESHOLD,
        score_threshold: { ...THRESHOLD, description: 'another name for threshold' },
        filter: FILTER,
      },
    },
    example: [
      { vector: [1, 0, 0], limit: 3 },
      { vector: [0, 1, 0], filter: { category: 'new' } },
    ],
  })
  @IsDefined()
  @IsArray()
  queries: unknown[];
}
