import { IsObject, IsOptional, IsString } from 'class-validator';

/** Create-index body: legacy (`dimension`, `metric`, `spec`, `vector_type`) or 2026-07 (`deployment`, `schema`). */
export class CreateIndexDto {
  @IsString()
  name: string;

  @IsOptional()
  dimension?: unknown;

  @IsOptional()
  metric?: unknown;

  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown>;

  @IsOptional()
  vector_type?: unknown;

  @IsOptional()
  @IsObject()
  deployment?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @IsOptional()
  deletion_protection?: unknown;

  @IsOptional()
  tags?: unknown;
}

export class ConfigureIndexDto {
  @IsOptional()
  deletion_protection?: unknown;

  @IsOptional()
  tags?: unknown;
}
