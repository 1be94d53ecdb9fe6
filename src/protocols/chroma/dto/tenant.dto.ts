import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsDefined, IsString } from 'class-validator';

@ApiSchema({ name: 'ChromaCreateTenant', description: 'Body of a Chroma create tenant' })
export class CreateTenantDto {
  @ApiProperty({
    description: 'Tenant name, at least 3 characters (checked by the route: 400); 409 when it exists',
    minLength: 3,
    example: 'acme',
  })
  @IsDefined()
  @IsString()
  name: string;
}

@ApiSchema({
  name: 'ChromaCreateDatabase',
  description: 'Body of a Chroma create database (the tenant must exist: 404)',
})
export class CreateDatabaseDto {
  @ApiProperty({
    description: 'Database name, at least 3 characters (checked by the route: 400); 409 when it exists',
    minLength: 3,
    example: 'production',
  })
  @IsDefined()
  @IsString()
  name: string;
}
