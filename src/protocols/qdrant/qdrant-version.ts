/**
 * The Qdrant version whose REST API vecgate speaks, as `GET /` reports it: the official clients
 * compare it with their own and warn past one minor version apart.
 */
export const QDRANT_VERSION = '1.19.0';
