import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ChromaCollectionsService } from '../chroma-collections.service';

/** getCollectionByCrn of the 3.x client: a Chroma Resource Name is `tenant:database:collection`. */
@ApiTags('Chroma')
@Controller('api/v2/collections')
export class ChromaCrnController {
  constructor(private readonly chroma: ChromaCollectionsService) {}

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
  getByCrn(@Param('crn') crn: string) {
    return this.chroma.getByCrn(crn);
  }
}
