import { MAX_NAMESPACE_BYTES } from './index-names';
import { PineconeDataError } from './pinecone-error';

/** An alias name (API 2026-07): printable ASCII but space and `/ ? # % & = \ ; +`, 1 to 512 characters. */
const ALIAS_NAME = /^[\x21\x22\x24\x27-\x2A\x2C-\x2E\x30-\x3A\x3C\x3E\x40-\x5B\x5D-\x7E]+$/;
const RESERVED = new Set(['__default__', '.', '..']);

/** A namespace name as a target: ASCII without NUL, 1 to 512 characters. */
function isNamespaceName(value: string): boolean {
  return [...value].every((c) => c !== '\0' && c <= '\x7f');
}

/** The first API version that has namespace aliases; an older one is told so, as Pinecone does. */
export const ALIASES_VERSION = '2026-07';

export function checkAliasesVersion(apiVersion: string | undefined): void {
  const version = /^\d{4}-\d{2}/.test(apiVersion ?? '') ? apiVersion!.slice(0, 7) : null;
  if (version === null || version < ALIASES_VERSION)
    throw PineconeDataError.invalid(
      `Namespace aliases need API version ${ALIASES_VERSION} or later (X-Pinecone-Api-Version: ${ALIASES_VERSION}); this request ${apiVersion === undefined ? 'sent none' : `sent ${JSON.stringify(apiVersion)}`}`,
      'API_VERSION_TOO_OLD',
    );
}

export function checkAliasName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_NAMESPACE_BYTES ||
    !ALIAS_NAME.test(name) ||
    RESERVED.has(name)
  )
    throw PineconeDataError.invalid(
      `Invalid alias name: it must be 1 to ${MAX_NAMESPACE_BYTES} characters of printable ASCII, without space or any of / ? # % & = \\ ; +, and cannot be __default__, . or ..`,
      'ALIAS_NAME_INVALID',
    );
  return name;
}

/** A target namespace as stored ('' for `__default__`): an alias resolves to a namespace name. */
export function checkTargetNamespace(target: unknown): string {
  if (target === undefined || target === null || target === '')
    throw PineconeDataError.invalid(
      'target_namespace is required (use __default__ for the default namespace)',
      'TARGET_NAMESPACE_REQUIRED',
    );
  return namespaceName(target, 'target_namespace');
}

/** A `target_namespace` filter of a listing: present but empty is refused. */
export function targetFilter(target: unknown): string | null {
  if (target === undefined) return null;
  if (target === '')
    throw PineconeDataError.invalid('target_namespace must not be empty when given', 'TARGET_FILTER_EMPTY');
  return namespaceName(target, 'target_namespace');
}

function namespaceName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw PineconeDataError.invalid(`${what} must be a string`, 'NAMESPACE_INVALID');
  if (value.length > MAX_NAMESPACE_BYTES)
    throw PineconeDataError.invalid(
      `${what} is too long: at most ${MAX_NAMESPACE_BYTES} characters`,
      'NAMESPACE_TOO_LONG',
    );
  if (!isNamespaceName(value))
    throw PineconeDataError.invalid(
      `${what} must be ASCII and must not contain the NUL character`,
      'NAMESPACE_INVALID',
    );
  return value === '__default__' ? '' : value;
}

/** A listing's `prefix`: ASCII without NUL, at most 512 characters. */
export function prefixFilter(prefix: unknown): string | null {
  if (prefix === undefined || prefix === '') return null;
  if (typeof prefix !== 'string') throw PineconeDataError.invalid('prefix must be given once');
  if (prefix.length > MAX_NAMESPACE_BYTES)
    throw PineconeDataError.invalid(`prefix is too long: at most ${MAX_NAMESPACE_BYTES} characters`, 'PREFIX_TOO_LONG');
  if (prefix.includes('\0'))
    throw PineconeDataError.invalid(
      'prefix must not contain the NUL character',
      'PREFIX_MUST_NOT_CONTAIN_NULL_CHARACTER',
    );
  if (![...prefix].every((c) => c <= '\x7f'))
    throw PineconeDataError.invalid('prefix must be ASCII', 'PREFIX_MUST_BE_ASCII');
  return prefix;
}
