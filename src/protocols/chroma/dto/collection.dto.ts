import { IsBoolean, IsDefined, IsObject, IsOptional, IsString } from 'class-validator';

export class CreateCollectionDto {
  @IsDefined()
  @IsString()
  name: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @IsOptional()
  @IsObject()
  configuration?: Record<string, unknown> | null;

  @IsOptional()
  @IsBoolean()
  get_or_create?: boolean;

  /** Chroma 3.x clients may send a schema; it is kept and echoed back. */
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown> | null;
}

export class UpdateCollectionDto {
  @IsOptional()
  @IsString()
  new_name?: string | null;

  @IsOptional()
  @IsObject()
  new_metadata?: Record<string, unknown> | null;

  @IsOptional()
  @IsObject()
  new_configuration?: Record<string, unknown> | null;
}

export class ForkCollectionDto {
  @IsDefined()
  @IsString()
  new_name: string;
}
