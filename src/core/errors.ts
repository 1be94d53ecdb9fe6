/**
 * Errors of the neutral core. They carry facts, not wire text: each protocol's exception filter
 * turns them into its own status codes and messages.
 */
export abstract class CoreError extends Error {}

export type Entity =
  | 'tenant'
  | 'database'
  | 'collection'
  | 'alias'
  | 'namespace'
  | 'namespace alias'
  | 'backup'
  | 'backup set'
  | 'restore job'
  | 'import';

export class NotFoundError extends CoreError {
  constructor(
    readonly entity: Entity,
    readonly key: string,
    readonly by: 'name' | 'id' = 'name',
  ) {
    super(`${entity} ${key} not found`);
  }
}

export class AlreadyExistsError extends CoreError {
  constructor(
    readonly entity: Entity,
    readonly key: string,
  ) {
    super(`${entity} ${key} already exists`);
  }
}

export class DimensionMismatchError extends CoreError {
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super(`expected dimension ${expected}, got ${got}`);
  }
}

/** The request is wrong in a way every protocol words the same (the message is shown as is). */
export class InvalidArgumentError extends CoreError {}

/**
 * The request names a vector the collection does not have: never declared, or removed since (by
 * another replica, after the catalog row the request was parsed with was read). `vector` is null
 * when only the removed vector's position is known.
 */
export class UnknownVectorError extends InvalidArgumentError {
  constructor(
    readonly vector: string | null,
    kind?: 'dense' | 'sparse',
  ) {
    super(
      vector === null
        ? 'A vector the request names was removed from the collection'
        : `The collection has no ${kind ? `${kind} ` : ''}vector named ${JSON.stringify(vector)}`,
    );
  }
}

/** A vector of that name is declared already, as another kind (`sameKind` false) or with another size or metric. */
export class VectorExistsError extends InvalidArgumentError {
  constructor(
    readonly vector: string,
    readonly existing: 'dense' | 'sparse',
    readonly sameKind: boolean,
  ) {
    super(
      sameKind
        ? `Vector ${JSON.stringify(vector)} already exists with a different configuration`
        : `Vector ${JSON.stringify(vector)} already exists as a ${existing} vector`,
    );
  }
}

/** An answer past what the gateway sends at once (rows or bytes): the caller must ask for less. */
export class AnswerTooLargeError extends InvalidArgumentError {}

/**
 * One more would pass a bound on how many of them one parent holds (the backups of a collection):
 * the caller must delete one first. A protocol that has its own words for it says them.
 */
export class LimitReachedError extends InvalidArgumentError {
  constructor(
    readonly entity: Entity,
    readonly limit: number,
    readonly parent: string,
  ) {
    super(`${parent} already holds the most ${entity}s it may (${limit}): delete one first`);
  }
}

/**
 * What a namespace alias's rules refuse: a name is a namespace or an alias, never both; an alias
 * names an existing namespace, never another alias; a namespace stays while an alias names it;
 * namespace operations (describe, delete) take namespaces, not aliases.
 */
export type NamespaceAliasConflict =
  /** An alias of that name exists already; `target` is its target. */
  | 'alias-exists'
  /** A namespace holds the name an alias was to take. */
  | 'name-is-namespace'
  /** An alias holds the name a namespace was to take (a create, or a first write). */
  | 'name-is-alias'
  /** No namespace of the target's name. */
  | 'target-missing'
  /** The target is an alias. */
  | 'target-is-alias'
  /** A namespace operation named an alias. */
  | 'operation-on-alias'
  /** The namespace to delete is the target of an alias. */
  | 'namespace-targeted';

export class NamespaceAliasError extends CoreError {
  constructor(
    readonly conflict: NamespaceAliasConflict,
    /** The name the rule is about: the alias's, the namespace's, or the target's. */
    readonly key: string,
    readonly target?: string,
  ) {
    super(`namespace alias rule broken (${conflict}): ${key}`);
  }
}

/** A regular expression the database could not compile. */
export class InvalidRegexError extends CoreError {}

export class ForbiddenError extends CoreError {}

/** Too many requests from one caller; try again after `retryAfterSeconds`. */
export class RateLimitedError extends CoreError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests: the rate limit for this API key was exceeded',
  ) {
    super(message);
  }
}

/** No API key, or one that is unknown or revoked. */
export class UnauthenticatedError extends CoreError {}

/** The database cannot be reached or is shutting down: the caller may retry. */
export class UnavailableError extends CoreError {}

/** The gateway has more requests than it serves at once and queues: try again after `retryAfterSeconds`. */
export class OverloadedError extends UnavailableError {
  constructor(
    readonly retryAfterSeconds: number,
    reason: string,
  ) {
    super(`The server is busy (${reason}): try again shortly`);
  }
}

/** A statement of the request ran past the database's time limit and was cancelled: a 503 like UnavailableError. */
export class StatementTimeoutError extends UnavailableError {}

/**
 * A statement would bind more values than one statement can (`limit`): a filter of very many
 * conditions, even with its repeated values bound once and its lists bound as arrays. Refused
 * before the statement is sent.
 */
export class TooManyValuesError extends InvalidArgumentError {
  constructor(readonly limit: number) {
    super(`The filter is too large: it would bind more than ${limit} values in one statement`);
  }
}
