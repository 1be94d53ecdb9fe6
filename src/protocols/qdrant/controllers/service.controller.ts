import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { answer } from '../answer';
import { QdrantCollectionsService } from '../qdrant-collections.service';
import { QDRANT_VERSION } from '../qdrant-version';

/** Qdrant's service routes, in their single-node shapes (its probes and metrics are the gateway's own). */
@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant')
export class QdrantServiceController {
  constructor(private readonly collections: QdrantCollectionsService) {}

  @ApiOperation({ summary: 'Version info (GET / on the Qdrant port)' })
  @Get()
  root() {
    return { title: 'qdrant - vector search engine', version: QDRANT_VERSION, commit: null };
  }

  @ApiOperation({ summary: 'Telemetry: this node and its collections' })
  @Get('telemetry')
  telemetry() {
    return answer(async () => ({
      id: 'vecgate',
      app: { name: 'qdrant', version: QDRANT_VERSION },
      collections: { number_of_collections: (await this.collections.list()).collections.length },
    }));
  }

  @ApiOperation({ summary: 'Cluster status: a single node' })
  @Get('cluster')
  cluster() {
    return answer(() => ({ status: 'disabled' }));
  }

  @ApiOperation({ summary: 'Aliases of every collection' })
  @Get('aliases')
  aliases() {
    return answer(() => this.collections.listAliases());
  }
}
