import { InvalidArgumentError } from '../errors';

/**
 * The most products of vector values one pairwise computation (a search matrix, MMR) may take: a
 * thousand by a thousand vectors of a thousand dimensions, a few seconds of one database core.
 */
export const MAX_PAIRWISE_PRODUCTS = 1_000_000_000;

/** Refuses a comparison of `rows` vectors with `columns` others, each of `dimension` values, past MAX_PAIRWISE_PRODUCTS. */
export function checkPairwiseWork(rows: number, columns: number, dimension = 1): void {
  const products = rows * columns * dimension;
  if (products > MAX_PAIRWISE_PRODUCTS)
    throw new InvalidArgumentError(
      `comparing ${rows} vectors with ${columns} others of ${dimension} dimensions takes ${products} products; ` +
        `at most ${MAX_PAIRWISE_PRODUCTS} are computed for one request: ask for fewer`,
    );
}
