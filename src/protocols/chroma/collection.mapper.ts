import type { Collection } from '../../core/collections/collection.model';
import { configurationJson } from './collection-config';
import { schemaToWire } from './collection-schema';

/** The Collection object Chroma returns (the 3.x client reads configuration_json and schema). */
export function collectionToWire(c: Collection) {
  const configuration = configurationJson(c);
  // Chroma 1.5's order of fields; its schema is always there (the defaults when none was given).
  return {
    id: c.id,
    name: c.name,
    configuration_json: configuration,
    schema: schemaToWire(c, configuration),
    metadata: c.metadata,
    dimension: c.dimension,
    tenant: c.tenant,
    database: c.database,
    log_position: 0,
    version: 0,
  };
}
