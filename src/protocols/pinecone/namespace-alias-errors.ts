import { LimitReachedError, type NamespaceAliasError } from '../../core/errors';
import { wireNamespace } from './index-names';
import { errorInfo, GRPC, type ErrorInfo } from './pinecone-error';

/**
 * How Pinecone answers a broken namespace-alias rule (API 2026-07): the status and `details`
 * reason its spec gives each one; the words are vecgate's (Pinecone publishes none).
 */
export function namespaceAliasFailure(err: NamespaceAliasError | LimitReachedError): {
  status: number;
  grpc: number;
  name: string;
  message: string;
  details: ErrorInfo[];
} {
  if (err instanceof LimitReachedError)
    return invalid(
      `Index ${err.parent} already has ${err.limit} namespace aliases, the most it may have: delete one first`,
      'ALIASES_PER_INDEX_EXCEEDED',
    );
  const name = wireNamespace(err.key);
  switch (err.conflict) {
    case 'alias-exists': {
      const target = wireNamespace(err.target ?? '');
      return conflict(
        `Namespace alias ${name} already exists; it resolves to namespace ${target}`,
        'ALIAS_ALREADY_EXISTS',
        {
          target_namespace: target,
        },
      );
    }
    case 'name-is-namespace':
      return conflict(`The name ${name} is in use by a namespace, so no alias can take it`, 'NAME_IN_USE_BY_NAMESPACE');
    case 'name-is-alias':
      return conflict(
        `Namespace ${name} cannot be created: the name is in use by a namespace alias. Writes cannot address an alias; write to the alias's target namespace directly.`,
        'NAME_IN_USE_BY_ALIAS',
      );
    case 'target-missing':
      return invalid(`Target namespace ${name} not found`, 'TARGET_NAMESPACE_NOT_FOUND');
    case 'target-is-alias':
      return invalid(
        `Target namespace ${name} is a namespace alias; an alias must resolve to a namespace`,
        'TARGET_IS_ALIAS',
      );
    case 'operation-on-alias':
      return invalid(
        `${name} is a namespace alias, not a namespace: describe, repoint or delete it through /namespace-aliases/${name}`,
        'NAMESPACE_OPERATION_ON_ALIAS',
      );
    case 'namespace-targeted':
      return invalid(
        `Namespace ${name} is the target of one or more namespace aliases: repoint or delete every alias that resolves to it first`,
        'NAMESPACE_TARGETED_BY_ALIAS',
      );
  }
}

function invalid(message: string, reason: string) {
  return { status: 400, grpc: GRPC.INVALID_ARGUMENT, name: 'INVALID_ARGUMENT', message, details: [errorInfo(reason)] };
}

function conflict(message: string, reason: string, metadata?: Record<string, string>) {
  return {
    status: 409,
    grpc: GRPC.ALREADY_EXISTS,
    name: 'ALREADY_EXISTS',
    message,
    details: [errorInfo(reason, metadata)],
  };
}
