/** Qdrant's success envelope: the result, "ok", and the seconds the server took. */
export interface QdrantAnswer<T> {
  result: T;
  status: 'ok';
  time: number;
}

export async function answer<T>(work: () => Promise<T> | T): Promise<QdrantAnswer<T>> {
  const started = performance.now();
  const result = await work();
  return { result, status: 'ok', time: (performance.now() - started) / 1000 };
}

let lastOperation = 0;

/**
 * What a write answers: vecgate's writes commit before the answer whatever `wait` says, so it is
 * always done; `acknowledged` is only how Qdrant words an answer to `wait=false`.
 */
export function updateResult(wait: unknown): { operation_id: number; status: 'completed' | 'acknowledged' } {
  return { operation_id: ++lastOperation, status: wait === false || wait === 'false' ? 'acknowledged' : 'completed' };
}
