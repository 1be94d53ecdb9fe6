/**
 * What the inference module reports, implemented by operations (Prometheus) and provided under
 * INFERENCE_METRICS, so that this module does not import operations.
 */
export interface InferenceMetrics {
  /** One call to a provider, after its retries: `ok` or why it failed. */
  called(provider: string, model: string, outcome: string, seconds: number): void;
  /** One attempt that failed and will be tried again (`429`, `5xx`, `timeout`, `network`). */
  retried(provider: string, model: string, reason: string): void;
}

export const INFERENCE_METRICS = Symbol('INFERENCE_METRICS');
