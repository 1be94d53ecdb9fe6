export const QDRANT_MODELS: Function[] = [];
