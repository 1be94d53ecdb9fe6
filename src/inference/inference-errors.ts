import { InvalidArgumentError, UnavailableError } from '../core/errors';

/** A model name the operator has not mapped (or mapped to another kind): the caller's 400. */
export class UnknownModelError extends InvalidArgumentError {
  constructor(
    readonly model: string,
    readonly kind: 'embed' | 'rerank' | 'any',
  ) {
    super(
      kind === 'any'
        ? `Model ${JSON.stringify(model)} is not available on this gateway; GET /models lists the models its operator mapped`
        : `Model ${JSON.stringify(model)} is not ${kind === 'embed' ? 'an embedding' : 'a reranking'} model on this gateway; GET /models lists the models its operator mapped`,
    );
  }
}

/** Input a provider cannot take (too many inputs, an empty text): the caller's 400. */
export class InferenceInputError extends InvalidArgumentError {}

/**
 * The provider behind a model did not answer usably after its retries (down, timing out,
 * refusing): a 503 in the caller's protocol, and nothing was written.
 */
export class ProviderUnavailableError extends UnavailableError {
  constructor(
    readonly model: string,
    readonly reason: string,
  ) {
    super(`The inference provider for model ${JSON.stringify(model)} is unavailable (${reason}); nothing was written`);
  }
}
