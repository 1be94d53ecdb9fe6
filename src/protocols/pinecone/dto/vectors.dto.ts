import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { DENSE_VALUES, FILTER, METADATA, NAMESPACE, prop, SPARSE_VALUES, VECTOR } from './schemas';

export const MAX_BATCH = 1000;

class NamespacedDto {
  @ApiPropertyOptional(prop(NAMESPACE))
  @IsOptional()
  @IsString()
  namespace?: string;
}

@ApiSchema({ name: 'PineconeUpsert', description: 'Body of upsert: each vector replaces the whole record of its id' })
export class UpsertDto extends NamespacedDto {
  @ApiProperty({
    type: 'array',
    maxItems: MAX_BATCH,
    items: VECTOR,
    description: `At most ${MAX_BATCH} vectors`,
    example: [
      { id: 'm1', values: [0.1, 0.2, 0.3], metadata: { genre: ['drama', 'crime'], year: 1994 } },
      { id: 'm2', values: [0.3, 0.1, 0.2], metadata: { genre: ['comedy'], year: 2004 } },
    ],
  })
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH, { message: `at most ${MAX_BATCH} vectors per upsert` })
  vectors: unknown[];
}

@ApiSchema({
  name: 'PineconeQuery',
  description:
    'Body of query: by `vector` (dense index), by `sparseVector` (sparse index), both (hybrid, dotproduct index) or by the `id` of a stored record ' +
    '(not together with `vector`). An unknown `id` answers no matches.',
})
export class QueryDto extends NamespacedDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10000, description: 'Number of matches', example: 5 })
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(10000)
  topK: number;

  @ApiPropertyOptional(
    prop({
      ...DENSE_VALUES,
      description: "Dense query vector of the index's dimension (finite numbers; not all zero on a cosine index)",
      example: [0.1, 0.2, 0.25],
    }),
  )
  @IsOptional()
  @IsArray()
  vector?: unknown[];

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 512,
    description: 'Query with the vector of this stored record instead',
    example: 'm1',
  })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiPropertyOptional(prop(SPARSE_VALUES))
  @IsOptional()
  @IsObject()
  sparseVector?: Record<string, unknown>;

  @ApiPropertyOptional(prop(FILTER))
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Return the values of each match' })
  @IsOptional()
  @IsBoolean()
  includeValues?: boolean;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Return the metadata of each match' })
  @IsOptional()
  @IsBoolean()
  includeMetadata?: boolean;
}

@ApiSchema({
  name: 'PineconeFetchByMetadata',
  description: 'Body of fetch_by_metadata: one page of the records a filter selects, in id order',
})
export class FetchByMetadataDto extends NamespacedDto {
  @ApiProperty(
    prop({ ...FILTER, minProperties: 1, description: `A non-empty filter (\`{}\` is a 400). ${FILTER.description}` }),
  )
  @IsDefined()
  @IsObject()
  filter: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    default: 100,
    description: 'Page size',
    example: 100,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;

  @ApiPropertyOptional({
    type: 'string',
    pattern: '^[A-Za-z0-9_-]+$',
    description: '`pagination.next` of the previous page',
  })
  @IsOptional()
  @IsString()
  paginationToken?: string;
}

@ApiSchema({
  name: 'PineconeUpdate',
  description:
    'Body of update: by `id` (overwrite `values` and/or `sparseValues`, merge `setMetadata`), or by `filter` (merge `setMetadata` into every match; ' +
    'the answer counts them). One of `id` and `filter`, not both.',
})
export class UpdateDto extends NamespacedDto {
  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 512,
    description: 'The record to update',
    example: 'm1',
  })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiPropertyOptional(
    prop({
      ...DENSE_VALUES,
      description: "New dense values (by id only; finite, not all zero, of the index's dimension)",
      example: [0.2, 0.2, 0.3],
    }),
  )
  @IsOptional()
  @IsArray()
  values?: unknown[];

  @ApiPropertyOptional(
    prop({
      ...SPARSE_VALUES,
      description: `New sparse values (by id only; sparse or dotproduct indexes). ${SPARSE_VALUES.description}`,
    }),
  )
  @IsOptional()
  @IsObject()
  sparseValues?: Record<string, unknown>;

  @ApiPropertyOptional(
    prop({
      ...METADATA,
      description: `Merged into the stored metadata (required by filter); the merged metadata stays within 40 KB. ${METADATA.description}`,
    }),
  )
  @IsOptional()
  @IsObject()
  setMetadata?: Record<string, unknown>;

  @ApiPropertyOptional(
    prop({
      ...FILTER,
      minProperties: 1,
      description: `Update every record this non-empty filter selects. ${FILTER.description}`,
    }),
  )
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'By filter: only count the records that would be updated',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

@ApiSchema({
  name: 'PineconeDelete',
  description: 'Body of delete: exactly one of `ids`, `deleteAll: true` and `filter` (400 otherwise)',
})
export class DeleteDto extends NamespacedDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 512 },
    minItems: 1,
    maxItems: MAX_BATCH,
    description: `1 to ${MAX_BATCH} ids; unknown ids are ignored`,
    example: ['m1', 'm2'],
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(MAX_BATCH, { message: `at most ${MAX_BATCH} ids per delete` })
  ids?: string[];

  @ApiPropertyOptional({ type: 'boolean', description: 'Delete every record of the namespace' })
  @IsOptional()
  @IsBoolean()
  deleteAll?: boolean;

  @ApiPropertyOptional(
    prop({
      ...FILTER,
      minProperties: 1,
      description: `Delete what this non-empty filter selects. ${FILTER.description}`,
    }),
  )
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

@ApiSchema({ name: 'PineconeDescribeIndexStats', description: 'Body of describe_index_stats' })
export class DescribeIndexStatsDto {
  @ApiPropertyOptional(
    prop({ ...FILTER, description: `Count only the records this filter selects (\`{}\`: all). ${FILTER.description}` }),
  )
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

@ApiSchema({ name: 'PineconeCreateNamespace', description: 'Body of create namespace (409 when it exists)' })
export class CreateNamespaceDto {
  @ApiProperty({
    type: 'string',
    maxLength: 512,
    description: 'Namespace name (at most 512 bytes; "" and "__default__" are the default namespace)',
    example: 'catalog',
  })
  @IsDefined()
  @IsString()
  name: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Metadata schema (API 2026-07): `{"fields": {"genre": {"filterable": true}}}`, at most 50 fields, each filterable: true. ' +
      "Only those keys are indexed for filters in this namespace: a filter on another key finds it absent. Without one, the index's schema (or every key) applies.",
    example: { fields: { genre: { filterable: true } } },
  })
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;
}
