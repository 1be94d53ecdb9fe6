import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString } from 'class-validator';
import { DELETION_PROTECTION, prop, READ_CAPACITY, TAGS } from './schemas';

/*
 * The `unknown` fields are checked by index-spec.ts (newIndex, checkTags, checkDeletionProtection);
 * their documentation below is what those checks accept (anything else is a 400).
 */

/** Create-index body: legacy (`dimension`, `metric`, `spec`, `vector_type`) or 2026-07 (`deployment`, `schema`). */
@ApiSchema({
  name: 'PineconeCreateIndex',
  description:
    'Body of create index, in either shape the clients send: the legacy one (`dimension`, `metric`, `spec`, `vector_type`) or the 2026-07 one ' +
    '(`deployment`, and `schema.fields` with one `dense_vector` or `sparse_vector` field). When `schema.fields` is given, the legacy fields are ignored.',
})
export class CreateIndexDto {
  @ApiProperty({
    description:
      "Index name: 1 to 45 characters of lowercase letters, digits and '-', starting and ending with a letter or digit (checked: 400); 409 when taken",
    minLength: 1,
    maxLength: 45,
    pattern: '^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$',
    example: 'movies',
  })
  @IsString()
  name: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 16000,
    description: 'Legacy shape: dimension of a dense index (required for one); a sparse index takes none',
    example: 3,
  })
  @IsOptional()
  dimension?: unknown;

  @ApiPropertyOptional({
    type: 'string',
    enum: ['cosine', 'euclidean', 'dotproduct'],
    description: 'Legacy shape: the metric; default cosine for dense indexes, and a sparse index must use dotproduct',
    example: 'cosine',
  })
  @IsOptional()
  metric?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    description:
      'Legacy shape: where the index runs, `{"serverless": {"cloud", "region"}}` or `{"pod": {...}}`; kept and echoed back',
    properties: {
      serverless: {
        type: 'object',
        properties: { cloud: { type: 'string', example: 'aws' }, region: { type: 'string', example: 'us-east-1' } },
      },
      pod: {
        type: 'object',
        additionalProperties: true,
        description: 'pod settings (environment, pod_type, ...), echoed back whole',
      },
    },
    example: { serverless: { cloud: 'aws', region: 'us-east-1' } },
  })
  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'string',
    enum: ['dense', 'sparse'],
    default: 'dense',
    description: 'Legacy shape: the kind of vectors the index holds',
  })
  @IsOptional()
  vector_type?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: '2026-07 shape: where the index runs; kept and echoed back',
    example: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
  })
  @IsOptional()
  @IsObject()
  deployment?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    description:
      '2026-07 shape: `fields` holds exactly one vector field, `{"type": "dense_vector", "dimension": 1..16000, "metric"}` (metric default cosine) ' +
      'or `{"type": "sparse_vector", "metric": "dotproduct"}`; other fields are kept and echoed back',
    properties: {
      fields: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['dense_vector', 'sparse_vector'] },
            dimension: { type: 'integer', minimum: 1, maximum: 16000 },
            metric: { type: 'string', enum: ['cosine', 'euclidean', 'dotproduct'] },
          },
        },
      },
    },
    example: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'cosine' } } },
  })
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @ApiPropertyOptional(prop(READ_CAPACITY))
  @IsOptional()
  read_capacity?: unknown;

  @ApiPropertyOptional(prop({ ...DELETION_PROTECTION, default: 'disabled' }))
  @IsOptional()
  deletion_protection?: unknown;

  @ApiPropertyOptional(prop(TAGS))
  @IsOptional()
  tags?: unknown;
}

@ApiSchema({ name: 'PineconeConfigureIndex', description: 'Body of configure index: what is absent is left as it is' })
export class ConfigureIndexDto {
  @ApiPropertyOptional(prop(DELETION_PROTECTION))
  @IsOptional()
  deletion_protection?: unknown;

  @ApiPropertyOptional(prop(TAGS))
  @IsOptional()
  tags?: unknown;
  @ApiPropertyOptional(
    prop({ ...READ_CAPACITY, description: `${READ_CAPACITY.description} A Dedicated change names only what changes.` }),
  )
  @IsOptional()
  read_capacity?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: '2025-10 shape: `{"serverless": {"read_capacity": ...}}`',
  })
  @IsOptional()
  spec?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    description:
      'Before 2026-07: integrated embedding. On an integrated index, a new `field_map`, `read_parameters` or `write_parameters` (the model stays); ' +
      'on a plain index, a `model` the operator mapped whose vectors fit the index makes it integrated',
    properties: {
      model: { type: 'string', example: 'llama-text-embed-v2' },
      field_map: { type: 'object', additionalProperties: { type: 'string' }, example: { text: 'chunk_text' } },
      read_parameters: { type: 'object', additionalProperties: true },
      write_parameters: { type: 'object', additionalProperties: true },
    },
  })
  @IsOptional()
  embed?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      '2026-07: `{"fields": {"<text field>": {"type": "semantic_text", "model", "read_parameters", "write_parameters"}}}`, the same change as `embed`',
  })
  @IsOptional()
  schema?: unknown;
}

@ApiSchema({
  name: 'PineconeCreateIndexForModel',
  description:
    'Body of create index for model: an index that embeds the text of one record field with a model the operator mapped (GET /models)',
})
export class CreateIndexForModelDto {
  @ApiProperty({ description: 'Index name, as for create index', example: 'docs' })
  @IsString()
  name: string;

  @ApiProperty({ description: 'Kept and echoed back', example: 'aws' })
  @IsString()
  cloud: string;

  @ApiProperty({ description: 'Kept and echoed back', example: 'us-east-1' })
  @IsString()
  region: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      '`model` (a name GET /models lists), `field_map` (`{"text": "<field>"}`), and optionally `metric` (default the model\'s), ' +
      "`dimension` (must be the model's), `read_parameters` and `write_parameters` (`input_type` is honoured; the rest is kept)",
    example: { model: 'llama-text-embed-v2', field_map: { text: 'chunk_text' } },
  })
  @IsObject()
  embed: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The metadata schema: `{"fields": {"<key>": {"filterable": true}}}`',
  })
  @IsOptional()
  schema?: unknown;

  @ApiPropertyOptional(prop(READ_CAPACITY))
  @IsOptional()
  read_capacity?: unknown;

  @ApiPropertyOptional(prop({ ...DELETION_PROTECTION, default: 'disabled' }))
  @IsOptional()
  deletion_protection?: unknown;

  @ApiPropertyOptional(prop(TAGS))
  @IsOptional()
  tags?: unknown;
}
