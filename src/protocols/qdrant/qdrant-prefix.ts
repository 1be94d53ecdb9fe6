/**
 * The path prefix Qdrant's routes are mounted under: requests on QDRANT_PORT are routed there
 * (common/port-routing.ts), and nothing on the main port reaches it, so Qdrant's `/collections`
 * and Vectorizer's never meet.
 */
export const QDRANT_PREFIX = '/_qdrant';
