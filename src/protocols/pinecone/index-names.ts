import { PineconeControlError, PineconeDataError } from './pinecone-error';

/** Namespace and id share one btree entry; this keeps the pair within its size. */
export const MAX_NAMESPACE_BYTES = 512;

const NAME = /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/;

/**
 * Pinecone's index name rules: 1–45 characters, lowercase alphanumerics or '-', alphanumeric at
 * both ends; the charset message is Pinecone's own (its API reference's example error).
 */
export function validateIndexName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 45) {
    throw PineconeControlError.invalid('Index name must be 1 to 45 characters long.');
  }
  if (!NAME.test(name)) {
    throw PineconeControlError.invalid(
      'Index name must contain only lowercase alphanumeric characters or hyphens, and must not begin or end with a hyphen.',
    );
  }
  return name;
}

/** `""` and `"__default__"` are the same namespace, stored as `""`. */
export function storedNamespace(namespace: unknown): string {
  if (namespace === undefined || namespace === null || namespace === '' || namespace === '__default__') return '';
  if (typeof namespace !== 'string') throw PineconeDataError.invalid('namespace must be a string');
  if (Buffer.byteLength(namespace, 'utf8') > MAX_NAMESPACE_BYTES)
    throw PineconeDataError.invalid(`namespace is too long: at most ${MAX_NAMESPACE_BYTES} bytes`);
  return namespace;
}

export function wireNamespace(stored: string): string {
  return stored === '' ? '__default__' : stored;
}
