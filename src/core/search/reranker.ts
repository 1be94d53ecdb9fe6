/**
 * The core's port to a reranking model (the operator's inference providers). The app binds it to
 * the inference service; the core knows only this interface, and without a binding a plan that
 * reranks is refused.
 */
export interface Reranker {
  /** One relevance score per document for `query`, in the documents' order: higher is more relevant. */
  rerank(model: string, query: string, documents: string[]): Promise<{ scores: number[] }>;
}

export const RERANKER = Symbol('RERANKER');

/** A point's text for the reranking model: the value of its one rank field, or each field as a `name: value` line. */
export function rankText(metadata: Record<string, unknown> | null | undefined, rankFields: string[]): string {
  const fields = metadata ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  if (rankFields.length === 1) return text(fields[rankFields[0]]);
  return rankFields.map((f) => `${f}: ${text(fields[f])}`).join('\n');
}
