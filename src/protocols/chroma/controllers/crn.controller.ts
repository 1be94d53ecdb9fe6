import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CollectionsService } from '../../../collections/collections.service';
import { ChromaHttpError } from '../chroma-error';
import { collectionToWire } from '../collection.mapper';

/** getCollectionByCrn of the 3.x client: a Chroma Resource Name is `tenant:database:collection`. */
@ApiTags('Chroma')
@Controller('api/v2/collections')
export class ChromaCrnController {
  constructor(private readonly collections: CollectionsService) {}

  @ApiOperation({ summary: 'Get a collection by CRN', description: "The 3.x client's getCollectionByCrn" })
  @ApiParam({
    name: 'crn',
    type: String,
    description: 'Chroma Resource Name: tenant:database:collection',
    example: 'default_tenant:default_database:docs',
  })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 400, description: 'Not a tenant:database:collection name' })
  @Get(':crn')
  async getByCrn(@Param('crn') crn: string) {
    const parts = crn.split(':');
    if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
      throw ChromaHttpError.invalidArgument(
        `Invalid CRN: ${crn}. Expected format tenant_resource_name:database_name:collection_name`,
      );
    }
    const [tenant, database, name] = parts;
    return collectionToWire(await this.collections.getByName({ tenant, database }, name));
  }
}
