import type { Metric } from '../../core/collections/collection.model';
import { VectorizerHttpError } from './vectorizer-error';

/**
 * Vectorizer's metric names. The server reads `cosine | euclidean | dot` (and silently turns
 * anything else into cosine); the SDK sends `similarity_metric` with `dot_product`. vecgate takes
 * all of these, either field, any case, and refuses an unknown one instead of guessing.
 */
const NAMES: Record<string, Metric> = {
  cosine: 'cosine',
  euclidean: 'l2',
  euclid: 'l2',
  l2: 'l2',
  dot: 'ip',
  dot_product: 'ip',
  dotproduct: 'ip',
};

export function metricFromName(value: unknown): Metric {
  if (value === undefined || value === null) return 'cosine';
  // Own keys only: `constructor` and `__proto__` are names of every object's prototype, not metrics.
  const metric =
    typeof value === 'string' && Object.hasOwn(NAMES, value.toLowerCase()) ? NAMES[value.toLowerCase()] : undefined;
  if (!metric)
    throw VectorizerHttpError.validation(
      'metric',
      `unknown metric ${JSON.stringify(value)}; expected cosine, euclidean or dot_product`,
    );
  return metric;
}

/** The server shows metrics in Rust's Debug form; the SDK reads `similarity_metric` in snake case. */
export const DEBUG_NAME: Record<Metric, string> = {
  cosine: 'Cosine',
  l2: 'Euclidean',
  ip: 'DotProduct',
  l1: 'Manhattan',
};
export const SDK_NAME: Record<Metric, string> = {
  cosine: 'cosine',
  l2: 'euclidean',
  ip: 'dot_product',
  l1: 'manhattan',
};
export const QDRANT_NAME: Record<Metric, string> = { cosine: 'Cosine', l2: 'Euclid', ip: 'Dot', l1: 'Manhattan' };

export function metricFromQdrant(value: unknown): Metric {
  const distances: Record<string, Metric> = { Cosine: 'cosine', Euclid: 'l2', Dot: 'ip' };
  const m = Object.hasOwn(distances, String(value)) ? distances[String(value)] : undefined;
  if (!m)
    throw VectorizerHttpError.validation(
      'distance',
      `unknown distance ${JSON.stringify(value)}; expected Cosine, Euclid or Dot`,
    );
  return m;
}

/**
 * Vectorizer's scores, higher is better: cosine similarity, 1 / (1 + L2 distance), and the
 * sigmoid of the dot product. `raw` is pgvector's operator value (<=>, <->, or <#> = −dot).
 */
export function vectorizerScore(metric: Metric, raw: number): number {
  if (metric === 'cosine') return 1 - raw;
  if (metric === 'l2' || metric === 'l1') return 1 / (1 + raw);
  return 1 / (1 + Math.exp(raw));
}
