import { isObject, type JsonObject } from '../json-guards';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';

/**
 * The checks of the settings a create or update body nests (hnsw_config, optimizers_config,
 * wal_config, quantization_config, strict_mode_config): vecgate keeps most of them only to show
 * them back, so that a field Qdrant does not know is refused here rather than echoed.
 */

function section(value: unknown, fields: readonly string[], at: string): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw QdrantHttpError.format(`${at} must be an object`);
  onlyFields(value, fields, at);
}

export function checkHnswConfig(value: unknown, at: string): void {
  section(value, FIELDS.HnswConfigDiff, at);
}

/** Qdrant's quantization configs, each an object of one field; an update may also send `"Disabled"`. */
const QUANTIZATIONS: Readonly<Record<string, readonly string[]>> = {
  scalar: FIELDS.ScalarQuantizationConfig,
  product: FIELDS.ProductQuantizationConfig,
  binary: FIELDS.BinaryQuantizationConfig,
  turbo: FIELDS.TurboQuantQuantizationConfig,
};

export function checkQuantizationConfig(value: unknown, at: string): void {
  if (value === undefined || value === null || value === 'Disabled') return;
  const kinds = Object.keys(QUANTIZATIONS);
  if (!isObject(value)) throw QdrantHttpError.format(`${at} must be one of {${kinds.join('}, {')}} or "Disabled"`);
  const kind = kinds.find((k) => k in value);
  if (kind === undefined) throw QdrantHttpError.format(`${at} must hold one of ${kinds.join(', ')}`);
  onlyFields(value, [kind], at);
  section(value[kind], QUANTIZATIONS[kind], `${at}.${kind}`);
}

function checkStrictMode(value: unknown, at: string): void {
  section(value, FIELDS.StrictModeConfig, at);
  if (!isObject(value)) return;
  // Settings by vector name.
  for (const [field, fields] of [
    ['multivector_config', FIELDS.StrictModeMultivector],
    ['sparse_config', FIELDS.StrictModeSparse],
  ] as const) {
    const byName = value[field];
    if (byName === undefined || byName === null) continue;
    if (!isObject(byName)) throw QdrantHttpError.format(`${at}.${field} must be an object of settings by vector name`);
    for (const [name, settings] of Object.entries(byName)) section(settings, fields, `${at}.${field}.${name}`);
  }
}

/** The settings sections of a create or update body (those it holds). */
export function checkSettings(body: JsonObject): void {
  checkHnswConfig(body.hnsw_config, 'hnsw_config');
  section(body.optimizers_config, FIELDS.OptimizersConfigDiff, 'optimizers_config');
  section(body.wal_config, FIELDS.WalConfigDiff, 'wal_config');
  checkQuantizationConfig(body.quantization_config, 'quantization_config');
  checkStrictMode(body.strict_mode_config, 'strict_mode_config');
  section(body.params, FIELDS.CollectionParamsDiff, 'params');
}

/** A sparse vector's params (SparseVectorParams) and its index's. */
export function checkSparseParams(value: JsonObject, at: string): void {
  onlyFields(value, FIELDS.SparseVectorParams, at);
  section(value.index, FIELDS.SparseIndexParams, `${at}.index`);
  // Qdrant's sparse_turbo4_unsupported_error: turbo4 is a dense storage.
  if (isObject(value.index) && value.index.datatype === 'turbo4')
    throw QdrantHttpError.validation(`${at}.index.datatype`, 'sparse vectors do not support the `turbo4` datatype');
}
