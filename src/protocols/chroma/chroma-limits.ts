/** Chroma's largest batch (pre-flight-checks' max_batch_size); the JS client refuses to write without a positive one. */
export const MAX_BATCH_SIZE = 5461;
