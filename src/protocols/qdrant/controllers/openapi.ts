import { getSchemaPath, type ApiBodyOptions, type ApiQueryOptions } from '@nestjs/swagger';

/** Every Qdrant body route documents its body as Qdrant's request of that route. */
export const QDRANT_REQUEST: ApiBodyOptions = { schema: { $ref: getSchemaPath('QdrantRequest') } };

export const WAIT: ApiQueryOptions = {
  name: 'wait',
  required: false,
  type: Boolean,
  description: 'Accepted: vecgate commits every write before it answers',
};

export const TIMEOUT: ApiQueryOptions = {
  name: 'timeout',
  required: false,
  type: Number,
  description: "Seconds; checked against strict mode's max_timeout",
};
