import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsArray, IsDefined, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { EMBEDDING, INCLUDE_VALUES, prop, RECORD_METADATA, WHERE, WHERE_DOCUMENT } from './schemas';

/** add / upsert / update. Element types are checked by the mapper, which knows Chroma's messages. */
@ApiSchema({
  name: 'ChromaRecordSet',
  description:
    'Body of add, upsert and update: column arrays, each as long as `ids` (400 otherwise). add and upsert need `embeddings` ' +
    '(400 without them), unless the collection’s embedding function names a model the operator mapped: then records ' +
    'without one (none sent, or null) are embedded from their documents; update may leave any column out.',
})
export class RecordSetDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', minLength: 1 },
    description: 'Record ids, each at least one character (400 otherwise)',
    example: ['a', 'b'],
  })
  @IsDefined()
  @IsArray()
  @IsString({ each: true })
  ids: string[];

  @ApiPropertyOptional({
    type: 'array',
    nullable: true,
    items: EMBEDDING,
    description:
      'One embedding per id: an array of finite numbers, or a base64 string of little-endian float32 values (null: embedded ' +
      'from the document when the collection’s embedding function is mapped). Every embedding of a collection has its dimension.',
    example: [
      [0.1, 0.2, 0.3],
      [0.3, 0.1, 0.2],
    ],
  })
  @IsOptional()
  @IsArray()
  embeddings?: unknown[] | null;

  @ApiPropertyOptional({
    type: 'array',
    nullable: true,
    items: { type: 'string', nullable: true },
    description: 'One document per id (string or null); in upsert and update a null keeps the stored document',
    example: ['hello world', 'goodbye'],
  })
  @IsOptional()
  @IsArray()
  documents?: unknown[] | null;

  @ApiPropertyOptional({
    type: 'array',
    nullable: true,
    items: RECORD_METADATA,
    description: 'One metadata map per id (or null). Upsert and update merge it into the stored metadata.',
    example: [
      { lang: 'en', year: 2024 },
      { lang: 'en', year: 2021 },
    ],
  })
  @IsOptional()
  @IsArray()
  metadatas?: unknown[] | null;

  @ApiPropertyOptional({
    type: 'array',
    nullable: true,
    items: { type: 'string', nullable: true },
    description: 'One URI per id (string or null); in upsert and update a null keeps the stored URI',
    example: ['s3://bucket/a.txt', null],
  })
  @IsOptional()
  @IsArray()
  uris?: unknown[] | null;
}

/** What get, query and delete select by: `ids`, `where` and `where_document` are AND-ed. */
class FilteredDto {
  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: 'Only these ids (unknown ids are ignored)',
    example: ['a', 'b'],
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  ids?: string[] | null;

  @ApiPropertyOptional(prop(WHERE))
  @IsOptional()
  where?: unknown;

  @ApiPropertyOptional(prop(WHERE_DOCUMENT))
  @IsOptional()
  where_document?: unknown;
}

@ApiSchema({ name: 'ChromaGetRecords', description: 'Body of get: records by ids and filters, in insertion order' })
export class GetRecordsDto extends FilteredDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: INCLUDE_VALUES },
    default: ['documents', 'metadatas'],
    description: 'Columns to return (an unknown value is a 422)',
    example: ['documents', 'metadatas', 'embeddings'],
  })
  @IsOptional()
  @IsArray()
  include?: unknown[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description: 'At most this many records (no limit when absent)',
    example: 100,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    nullable: true,
    default: 0,
    description: 'Records to skip',
    example: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number | null;
}

@ApiSchema({
  name: 'ChromaQueryRecords',
  description: 'Body of query: the nearest records to each query embedding, among those the filters select',
})
export class QueryRecordsDto extends FilteredDto {
  @ApiProperty({
    type: 'array',
    items: EMBEDDING,
    description:
      "Query embeddings (arrays of finite numbers or base64 float32 strings), each of the collection's dimension; one result list per embedding",
    example: [[0.1, 0.2, 0.25]],
  })
  @IsDefined()
  @IsArray()
  query_embeddings: unknown[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    nullable: true,
    default: 10,
    description: 'Matches per query embedding',
    example: 5,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  n_results?: number | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: INCLUDE_VALUES },
    default: ['documents', 'metadatas', 'distances'],
    description: 'Columns to return (an unknown value is a 422)',
    example: ['documents', 'metadatas', 'distances'],
  })
  @IsOptional()
  @IsArray()
  include?: unknown[];
}

@ApiSchema({
  name: 'ChromaDeleteRecords',
  description:
    'Body of delete: deletes what `ids`, `where` and `where_document` select together. Nothing given deletes nothing; `ids: []` without a filter is a 400.',
})
export class DeleteRecordsDto extends FilteredDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description: 'Delete at most this many of the selected records',
    example: 100,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number | null;
}

@ApiSchema({
  name: 'ChromaSearch',
  description:
    "Body of search (Chroma's Search API): `searches`, each `{filter, rank, group_by, limit: {offset, limit}, select: {keys}}`, " +
    'and `read_level` (accepted; every read sees every committed write). Each search is checked by the mapper in Chroma’s words.',
})
export class SearchRecordsDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'Searches, at most 100. `rank`: `$knn` ({query: dense, {indices, values}, or text that the collection’s mapped ' +
      'embedding function embeds, key, limit, default, return_rank}) ' +
      'combined with `$val $sum $sub $mul $div $abs $exp $log $max $min`; `filter`: a `where` with `#id` and `#document` keys.',
    example: [
      {
        filter: { year: { $gte: 2020 } },
        rank: { $knn: { query: [0.1, 0.2, 0.3], key: '#embedding', limit: 50 } },
        limit: { offset: 0, limit: 10 },
        select: { keys: ['#document', '#score'] },
      },
    ],
  })
  @IsDefined()
  @IsArray()
  searches: unknown[];

  @ApiPropertyOptional({
    type: 'string',
    enum: ['index_and_wal', 'index_only', 'index_and_bounded_wal'],
    description: 'Accepted for the clients; every level reads every committed write here',
  })
  @IsOptional()
  read_level?: unknown;
}
