import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';

export const MAX_BATCH = 1000;

class NamespacedDto {
  @IsOptional()
  @IsString()
  namespace?: string;
}

export class UpsertDto extends NamespacedDto {
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH, { message: `at most ${MAX_BATCH} vectors per upsert` })
  vectors: unknown[];
}

export class QueryDto extends NamespacedDto {
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(10000)
  topK: number;

  @IsOptional()
  @IsArray()
  vector?: unknown[];

  @IsOptional()
  @IsString()
  id?: string;

  @IsOptional()
  @IsObject()
  sparseVector?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  includeValues?: boolean;

  @IsOptional()
  @IsBoolean()
  includeMetadata?: boolean;
}

export class FetchByMetadataDto extends NamespacedDto {
  @IsDefined()
  @IsObject()
  filter: Record<string, unknown>;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;

  @IsOptional()
  @IsString()
  paginationToken?: string;
}

export class UpdateDto extends NamespacedDto {
  @IsOptional()
  @IsString()
  id?: string;

  @IsOptional()
  @IsArray()
  values?: unknown[];

  @IsOptional()
  @IsObject()
  sparseValues?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  setMetadata?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class DeleteDto extends NamespacedDto {
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(MAX_BATCH, { message: `at most ${MAX_BATCH} ids per delete` })
  ids?: string[];

  @IsOptional()
  @IsBoolean()
  deleteAll?: boolean;

  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

export class DescribeIndexStatsDto {
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

export class CreateNamespaceDto {
  @IsDefined()
  @IsString()
  name: string;

  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;
}
