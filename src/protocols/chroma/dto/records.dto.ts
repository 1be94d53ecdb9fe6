import { IsArray, IsDefined, IsInt, IsOptional, IsString, Min } from 'class-validator';

/** add / upsert / update. Element types are checked by the mapper, which knows Chroma's messages. */
export class RecordSetDto {
  @IsDefined()
  @IsArray()
  @IsString({ each: true })
  ids: string[];

  @IsOptional()
  @IsArray()
  embeddings?: unknown[] | null;

  @IsOptional()
  @IsArray()
  documents?: unknown[] | null;

  @IsOptional()
  @IsArray()
  metadatas?: unknown[] | null;

  @IsOptional()
  @IsArray()
  uris?: unknown[] | null;
}

class FilteredDto {
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  ids?: string[] | null;

  @IsOptional()
  where?: unknown;

  @IsOptional()
  where_document?: unknown;
}

export class GetRecordsDto extends FilteredDto {
  @IsOptional()
  @IsArray()
  include?: unknown[];

  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number | null;
}

export class QueryRecordsDto extends FilteredDto {
  @IsDefined()
  @IsArray()
  query_embeddings: unknown[];

  @IsOptional()
  @IsInt()
  @Min(0)
  n_results?: number | null;

  @IsOptional()
  @IsArray()
  include?: unknown[];
}

export class DeleteRecordsDto extends FilteredDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number | null;
}
