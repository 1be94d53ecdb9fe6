import { randomUUID } from 'node:crypto';
import type { Collection } from '../../core/collections/collection.model';
import { RawJson } from '../../common/raw-json';
import { DenseVector } from '../../core/records/dense-vector';
import type { Neighbour, RecordWrite, StoredRecord } from '../../core/records/record.model';
import { vectorizerScore } from './metric';
import { VectorizerHttpError } from './vectorizer-error';
import { isObject } from '../json-guards';

export function denseVector(value: unknown, field: string): DenseVector {
  if (!Array.isArray(value) || value.length === 0)
    throw VectorizerHttpError.validation(field, 'must be a non-empty array of numbers');
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'number' || !Number.isFinite(value[i]))
      throw VectorizerHttpError.validation(field, `${field}[${i}] is not a number`);
  }
  return DenseVector.fromNumbers(value);
}

/** Vectorizer's id rules: non-empty, at most 256 characters, no surrounding space, no '#' (its chunk separator). */
export function checkId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id.length === 0)
    throw VectorizerHttpError.validation(field, 'id must be a non-empty string');
  if (id.length > 256) throw VectorizerHttpError.validation(field, 'id is longer than 256 characters');
  if (id.trim() !== id) throw VectorizerHttpError.validation(field, 'id has leading or trailing whitespace');
  if (id.includes('#')) throw VectorizerHttpError.validation(field, "id contains '#', which is reserved for chunk ids");
  return id;
}

/** A payload is any JSON object; `metadata` is the SDK's name for it. */
function payloadOf(item: Record<string, unknown>, field: string): Record<string, unknown> | null | undefined {
  const value = item.payload !== undefined ? item.payload : item.metadata;
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isObject(value)) throw VectorizerHttpError.validation(field, 'payload must be a JSON object');
  return value;
}

/** An `/insert_vectors` item (`embedding`, or the SDK's `vector`/`data`): a missing id gets a uuid, as the server does. */
export function insertItem(item: unknown, index: number, idRequired = false): RecordWrite {
  const field = `vectors[${index}]`;
  if (!isObject(item)) throw VectorizerHttpError.validation(field, 'must be an object');
  const raw = item.embedding ?? item.vector ?? item.data;
  if (raw === undefined)
    throw VectorizerHttpError.validation(
      `${field}.embedding`,
      'embedding is required (vecgate stores vectors; it does not embed text)',
    );
  const hasId = typeof item.id === 'string' || (typeof item.id === 'number' && Number.isInteger(item.id));
  if (idRequired && !hasId) throw VectorizerHttpError.validation(`${field}.id`, 'id is required');
  return {
    id: hasId ? checkId(String(item.id), `${field}.id`) : randomUUID(),
    embedding: denseVector(raw, `${field}.embedding`),
    metadata: payloadOf(item, `${field}.payload`) ?? null,
  };
}

/** A `/batch_update` item: vector and payload optional; a null payload clears it. */
export function updateItem(item: unknown, index: number): RecordWrite {
  const field = `updates[${index}]`;
  if (!isObject(item)) throw VectorizerHttpError.validation(field, 'must be an object');
  const record: RecordWrite = { id: checkId(item.id, `${field}.id`) };
  const raw = item.vector ?? item.data ?? item.embedding;
  if (raw !== undefined) record.embedding = denseVector(raw, `${field}.vector`);
  const payload = payloadOf(item, `${field}.payload`);
  if (payload !== undefined) record.metadata = payload ?? {};
  return record;
}

export function vectorOf(r: StoredRecord): RawJson | null {
  return r.embedding ? new RawJson(r.embedding) : null;
}

export function searchHit(collection: Collection, n: Neighbour) {
  return {
    id: n.id,
    score: vectorizerScore(collection.metric, n.distance),
    vector: vectorOf(n),
    payload: n.metadata ?? null,
  };
}
