import { IsArray, IsDefined, IsObject, IsOptional, IsString } from 'class-validator';

export class CreateCollectionDto {
  @IsDefined()
  @IsString()
  name: string;

  @IsOptional()
  dimension?: unknown;

  @IsOptional()
  metric?: unknown;

  /** The TypeScript SDK's name for metric. */
  @IsOptional()
  similarity_metric?: unknown;
}

export class InsertVectorsDto {
  @IsDefined()
  @IsString()
  collection: string;

  @IsOptional()
  @IsArray()
  vectors?: unknown[];

  /** /batch_insert's items, which vecgate takes when each carries an embedding. */
  @IsOptional()
  @IsArray()
  texts?: unknown[];
}

export class BatchUpdateDto {
  @IsDefined()
  @IsString()
  collection: string;

  @IsDefined()
  @IsArray()
  updates: unknown[];
}

export class IdsDto {
  @IsDefined()
  @IsArray()
  ids: unknown[];
}

export class BatchDeleteDto extends IdsDto {
  @IsDefined()
  @IsString()
  collection: string;
}

export class FilterDto {
  @IsOptional()
  filter?: unknown;
}

export class SearchDto {
  @IsOptional()
  @IsString()
  collection?: string;

  @IsDefined()
  vector: unknown;

  @IsOptional()
  limit?: unknown;

  @IsOptional()
  threshold?: unknown;

  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

export class BatchSearchDto {
  @IsDefined()
  @IsString()
  collection: string;

  @IsDefined()
  @IsArray()
  queries: unknown[];
}
