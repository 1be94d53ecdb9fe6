/**
 * Reads an answer's body as it arrives, at most `limit` bytes: past it the read stops and the
 * connection is closed, so that an answer sent in chunks, with no length said, cannot grow the
 * gateway's memory. `complete` is false when there was more.
 */
export async function readAtMost(res: Response, limit: number): Promise<{ bytes: Buffer; complete: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), complete: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks, total), complete: true };
    if (total + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - total));
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks, limit), complete: false };
    }
    chunks.push(value);
    total += value.byteLength;
  }
}
