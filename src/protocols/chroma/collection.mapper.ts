import type { Collection } from '../../core/collections/collection.model';
import { configurationJson } from './collection-config';

/** The Collection object Chroma returns (the 3.x client reads configuration_json and schema). */
export function collectionToWire(c: Collection) {
  const wire: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    configuration_json: configurationJson(c),
    metadata: c.metadata,
    dimension: c.dimension,
    tenant: c.tenant,
    database: c.database,
    log_position: 0,
    version: 0,
  };
  if (c.schema !== null && c.schema !== undefined) wire.schema = c.schema;
  return wire;
}
