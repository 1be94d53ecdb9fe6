import { IsDefined, IsString } from 'class-validator';

export class CreateTenantDto {
  @IsDefined()
  @IsString()
  name: string;
}

export class CreateDatabaseDto {
  @IsDefined()
  @IsString()
  name: string;
}
