import type { OrderBy } from '../../core/records/records.repository';
import { isObject } from '../json-guards';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { payloadKey } from './qdrant-filter.parser';

/** Qdrant's order_by: a key, or `{key, direction, start_from}`. */
export function orderByOf(value: unknown): OrderBy {
  const spec = typeof value === 'string' ? { key: value } : value;
  if (!isObject(spec)) throw QdrantHttpError.format('order_by must be a key or {key, direction, start_from}');
  onlyFields(spec, FIELDS.OrderBy, 'order_by');
  const direction = spec.direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc')
    throw QdrantHttpError.format(
      `order_by.direction: unknown variant ${JSON.stringify(direction)}, expected asc or desc`,
    );
  const from = spec.start_from;
  if (from !== undefined && from !== null && typeof from !== 'number' && typeof from !== 'string')
    throw QdrantHttpError.format('order_by.start_from must be a number or a datetime');
  return {
    key: payloadKey(spec.key, 'order_by.key'),
    descending: direction === 'desc',
    from: from === null ? undefined : (from as number | string | undefined),
  };
}
