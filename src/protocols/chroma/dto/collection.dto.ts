import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsObject, IsOptional, IsString } from 'class-validator';
import {
  COLLECTION_CONFIGURATION,
  COLLECTION_METADATA,
  COLLECTION_NAME_PATTERN,
  COLLECTION_NAME_RULES,
  COLLECTION_NEW_CONFIGURATION,
  prop,
} from './schemas';

@ApiSchema({ name: 'ChromaCreateCollection', description: 'Body of a Chroma create collection (and get or create)' })
export class CreateCollectionDto {
  @ApiProperty({
    description: `Collection name: ${COLLECTION_NAME_RULES}`,
    minLength: 3,
    maxLength: 512,
    pattern: COLLECTION_NAME_PATTERN,
    example: 'docs',
  })
  @IsDefined()
  @IsString()
  name: string;

  @ApiPropertyOptional(prop(COLLECTION_METADATA))
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional(prop(COLLECTION_CONFIGURATION))
  @IsOptional()
  @IsObject()
  configuration?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'Return the existing collection of that name instead of a 409',
  })
  @IsOptional()
  @IsBoolean()
  get_or_create?: boolean;

  /** Chroma 3.x clients may send a schema; it is kept and echoed back. */
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: "The 3.x client's collection schema: kept and echoed back as sent",
  })
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown> | null;
}

@ApiSchema({
  name: 'ChromaUpdateCollection',
  description: 'Body of a Chroma modify collection: every field is optional, absent or null leaves it as it is',
})
export class UpdateCollectionDto {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: `New name: ${COLLECTION_NAME_RULES}; 409 when taken`,
    minLength: 3,
    maxLength: 512,
    pattern: COLLECTION_NAME_PATTERN,
    example: 'docs-v2',
  })
  @IsOptional()
  @IsString()
  new_name?: string | null;

  @ApiPropertyOptional(
    prop({ ...COLLECTION_METADATA, description: `Replaces the metadata. ${COLLECTION_METADATA.description}` }),
  )
  @IsOptional()
  @IsObject()
  new_metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional(prop(COLLECTION_NEW_CONFIGURATION))
  @IsOptional()
  @IsObject()
  new_configuration?: Record<string, unknown> | null;
}

@ApiSchema({
  name: 'ChromaForkCollection',
  description: 'Body of a Chroma fork: the copy gets the records, metadata and configuration of the source',
})
export class ForkCollectionDto {
  @ApiProperty({
    description: `Name of the copy: ${COLLECTION_NAME_RULES}`,
    minLength: 3,
    maxLength: 512,
    pattern: COLLECTION_NAME_PATTERN,
    example: 'docs-fork',
  })
  @IsDefined()
  @IsString()
  new_name: string;
}
