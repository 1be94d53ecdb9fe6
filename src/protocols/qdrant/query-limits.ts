/** Prefetches one query may list at its top. */
export const MAX_PREFETCHES = 16;
/** The most searches one query runs, its prefetches' included at any depth. */
export const MAX_SEARCHES = 16;
/** Examples one recommend, discover or context query may hold (each a similarity computed per point read). */
export const MAX_EXAMPLES = 64;
/** Context pairs one discover or context query may hold (a discover's target is one more example). */
export const MAX_CONTEXT_PAIRS = Math.floor((MAX_EXAMPLES - 1) / 2);
/** The most searches one request runs: a batch's, with every prefetch at any depth. */
export const MAX_REQUEST_SEARCHES = 1_024;
/** The most results one request's searches ask for together (limit + offset of each, prefetches' included). */
export const MAX_REQUEST_RESULTS = 100_000;
/** The most examples one request's searches hold together: each is a similarity computed per point read. */
export const MAX_REQUEST_EXAMPLES = 1_024;
