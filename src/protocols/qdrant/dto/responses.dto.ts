import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/*
 * The Qdrant routes take raw JSON bodies, checked by the protocol service as Qdrant checks them;
 * these classes document the shapes, as Qdrant's own OpenAPI document (v1.19) describes them in full.
 */

@ApiSchema({ name: 'QdrantError', description: "Qdrant's error body" })
export class QdrantErrorModel {
  @ApiProperty({
    type: 'object',
    properties: { error: { type: 'string' } },
    example: { error: "Not found: Collection `notes` doesn't exist!" },
  })
  status: { error: string };

  @ApiProperty({ type: 'number', description: 'Seconds the server took', example: 0 })
  time: number;
}

@ApiSchema({
  name: 'QdrantRequest',
  description:
    "A Qdrant request body, as Qdrant's REST API documents it for this route (CreateCollection, PointInsertOperations, QueryRequest, ScrollRequest, ...); vecgate refuses what it does not serve with a 400 that names it (docs/protocols/qdrant.md)",
})
export class QdrantRequestModel {}

export const QDRANT_API_MODELS = [QdrantErrorModel, QdrantRequestModel];
