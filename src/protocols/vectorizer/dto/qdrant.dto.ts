import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { FILTER, POINT_ID, prop, VECTORS_CONFIG, WITH_PAYLOAD, WITH_VECTOR } from './schemas';

/*
 * Documentation of the Qdrant-compatible routes' bodies. Those routes take the raw JSON body and
 * check it in qdrant.controller.ts (no class-validator pass), so these classes carry no
 * validators: they describe what the controller accepts, and setupOpenApi registers them as
 * schemas the routes reference by name (getSchemaPath('Qdrant...')).
 */

const DENSE = {
  type: 'array',
  minItems: 1,
  items: { type: 'number' },
  description: "finite numbers, of the collection's dimension",
} as const;

const SELECTING = (what: string) => prop({ ...FILTER, description: `${what} ${FILTER.description}` });

@ApiSchema({
  name: 'QdrantCreateCollection',
  description:
    'Body of PUT /qdrant/collections/{name}: `vectors` at the top level or under `config` (409 when the name is taken)',
})
export class QdrantCreateCollectionBody {
  @ApiPropertyOptional(prop(VECTORS_CONFIG))
  vectors?: unknown;

  @ApiPropertyOptional(
    prop({
      type: 'object',
      properties: { vectors: VECTORS_CONFIG },
      description: 'The same settings, nested as some clients send them',
    }),
  )
  config?: unknown;
}

@ApiSchema({
  name: 'QdrantUpsertPoints',
  description: 'Body of PUT /qdrant/collections/{name}/points: the whole batch is checked before anything is written',
})
export class QdrantUpsertPointsBody {
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'vector'],
      properties: {
        id: POINT_ID,
        vector: {
          oneOf: [
            DENSE,
            {
              type: 'object',
              minProperties: 1,
              maxProperties: 1,
              additionalProperties: DENSE,
              description: 'a map holding exactly one named vector',
            },
          ],
        },
        payload: { type: 'object', nullable: true, additionalProperties: true },
      },
    },
    example: [{ id: 1, vector: [0.1, 0.2, 0.3], payload: { city: 'Berlin' } }],
  })
  points: unknown[];
}

@ApiSchema({
  name: 'QdrantSearchPoints',
  description: 'Body of POST /qdrant/collections/{name}/points/search (the filter is applied inside the search)',
})
export class QdrantSearchPointsBody {
  @ApiProperty({ ...DENSE, description: `Query vector: ${DENSE.description}`, example: [0.1, 0.2, 0.3] })
  vector: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 10, description: 'Number of results' })
  limit?: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Best results to skip' })
  offset?: unknown;

  @ApiPropertyOptional({ type: 'number', description: 'Only results scoring at least this' })
  score_threshold?: unknown;

  @ApiPropertyOptional(prop(WITH_VECTOR))
  with_vector?: unknown;

  @ApiPropertyOptional(prop(WITH_PAYLOAD))
  with_payload?: unknown;

  @ApiPropertyOptional(SELECTING('Only points this filter selects.'))
  filter?: unknown;
}

@ApiSchema({
  name: 'QdrantDeletePoints',
  description:
    'Body of POST /qdrant/collections/{name}/points/delete: `points` (ids), or else a `filter` with at least one condition (400 otherwise)',
})
export class QdrantDeletePointsBody {
  @ApiPropertyOptional({ type: 'array', items: POINT_ID, description: 'Ids to delete', example: [1, 'b'] })
  points?: unknown[];

  @ApiPropertyOptional(SELECTING('Used when `points` is absent; must have a condition.'))
  filter?: unknown;
}

@ApiSchema({
  name: 'QdrantScrollPoints',
  description: 'Body of POST /qdrant/collections/{name}/points/scroll: pages of points in id order',
})
export class QdrantScrollPointsBody {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 10, description: 'Page size' })
  limit?: unknown;

  @ApiPropertyOptional(
    prop({
      ...POINT_ID,
      nullable: true,
      description: 'Id to start at (inclusive): `next_page_offset` of the previous page',
    }),
  )
  offset?: unknown;

  @ApiPropertyOptional(SELECTING('Only points this filter selects.'))
  filter?: unknown;

  @ApiPropertyOptional(prop(WITH_VECTOR))
  with_vector?: unknown;

  @ApiPropertyOptional(prop(WITH_PAYLOAD))
  with_payload?: unknown;
}

@ApiSchema({ name: 'QdrantCountPoints', description: 'Body of POST /qdrant/collections/{name}/points/count' })
export class QdrantCountPointsBody {
  @ApiPropertyOptional(SELECTING('Count only the points this filter selects (absent: all).'))
  filter?: unknown;
}

@ApiSchema({
  name: 'QdrantRetrievePoints',
  description: 'Body of POST /qdrant/collections/{name}/points: the points with these ids (unknown ids are left out)',
})
export class QdrantRetrievePointsBody {
  @ApiProperty({ type: 'array', items: POINT_ID, description: 'Ids to retrieve', example: [1, 'b'] })
  ids: unknown[];

  @ApiPropertyOptional(prop(WITH_VECTOR))
  with_vector?: unknown;

  @ApiPropertyOptional(prop(WITH_PAYLOAD))
  with_payload?: unknown;
}

/** Registered with the document (extraModels). */
export const QDRANT_MODELS = [
  QdrantCreateCollectionBody,
  QdrantUpsertPointsBody,
  QdrantSearchPointsBody,
  QdrantDeletePointsBody,
  QdrantScrollPointsBody,
  QdrantCountPointsBody,
  QdrantRetrievePointsBody,
];
