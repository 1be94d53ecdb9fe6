import { Controller, Get, Param } from '@nestjs/common';
import { CollectionsService } from '../../../collections/collections.service';
import { ChromaHttpError } from '../chroma-error';
import { collectionToWire } from '../collection.mapper';

/** getCollectionByCrn of the 3.x client: a Chroma Resource Name is `tenant:database:collection`. */
@Controller('api/v2/collections')
export class ChromaCrnController {
  constructor(private readonly collections: CollectionsService) {}

  @Get(':crn')
  async getByCrn(@Param('crn') crn: string) {
    const parts = crn.split(':');
    if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
      throw ChromaHttpError.invalidArgument(`Invalid CRN: ${crn}. Expected format tenant_resource_name:database_name:collection_name`);
    }
    const [tenant, database, name] = parts;
    return collectionToWire(await this.collections.getByName({ tenant, database }, name));
  }
}
