import { InferenceInputError } from '../inference-errors';
import { answerLimit } from './answer-limit';
import { reasonOf } from './error-reason';
import type { ProviderCall } from './provider';
import { readAtMost } from './read-body';

/** A provider's non-2xx answer; `retryable` for 429 and 5xx, as the retry loop reads it. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | null,
    detail: string,
  ) {
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** An answer of an unexpected shape: the provider (or its mapping) is wrong, not the caller. */
export class ProviderShapeError extends Error {}

/** An answer past the call's limit (answer-limit.ts): the provider misbehaves, and asking again would not help. */
export class AnswerTooLargeError extends ProviderShapeError {}

/** Bytes of an error answer read, for the reason quoted from it. */
const ERROR_BODY_BYTES = 16 * 1024;

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/**
 * POSTs `body` as JSON to `path` under the call's base URL, the key (if any) as a bearer token,
 * and reads JSON, no more of it than the call's limit. The key goes in a header only; an error
 * quotes what the provider said with every secret taken out (error-reason.ts), never the request,
 * so no key or text reaches a log or a client. No redirect is followed: it would send the texts,
 * and the key, wherever the provider points.
 */
export async function postCall(call: ProviderCall, path: string, body: unknown): Promise<unknown> {
  const request = JSON.stringify(body);
  const res = await fetch(endpoint(call.url, path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(call.apiKey) },
    body: request,
    signal: call.signal,
    redirect: 'manual',
  });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProviderHttpError(
      res.status,
      null,
      'the provider redirects, and vecgate follows no redirect: its url must be the final address',
    );
  }
  if (!res.ok) {
    const { bytes } = await readAtMost(res, ERROR_BODY_BYTES);
    // Proxies and providers may echo the Authorization header: no key may be quoted to a client or a log.
    const reason = reasonOf(bytes.toString('utf8'), call.redact);
    // A provider's 413 or 400 about input size is the caller's to fix: it says which.
    if (res.status === 413)
      throw new InferenceInputError(`The inference provider refused the input as too large: ${reason}`);
    throw new ProviderHttpError(res.status, retryAfter(res.headers.get('retry-after')), reason);
  }
  const limit = answerLimit(call.expected, Buffer.byteLength(request));
  if (Number(res.headers.get('content-length') ?? 0) > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new AnswerTooLargeError(`answer larger than ${limit} bytes`);
  }
  const { bytes, complete } = await readAtMost(res, limit);
  if (!complete) throw new AnswerTooLargeError(`answer larger than ${limit} bytes`);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ProviderShapeError('answer is not JSON');
  }
}

/** As postCall, for the providers whose answer is a JSON object. */
export async function postForObject(call: ProviderCall, path: string, body: unknown): Promise<Record<string, unknown>> {
  return objectOf(await postCall(call, path, body), 'answer');
}

/** The answer's `usage` (OpenAI, Voyage, Jina), empty when it has none. */
export function usageOf(answer: Record<string, unknown>): Record<string, unknown> {
  return (answer.usage as Record<string, unknown> | undefined) ?? {};
}

export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** `base` + `path`, with one slash between them. */
export function endpoint(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function numberArray(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw new ProviderShapeError(`${what} is not an array of numbers`);
  return value as number[];
}

export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProviderShapeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

export function arrayOf(value: unknown, what: string, length?: number): unknown[] {
  if (!Array.isArray(value)) throw new ProviderShapeError(`${what} is not an array`);
  if (length !== undefined && value.length !== length)
    throw new ProviderShapeError(`${what} has ${value.length} entries for ${length} inputs`);
  return value;
}

export function tokensOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** `{data: [{embedding, index}]}` in input order, as OpenAI, Voyage and Jina answer. */
export function dataEmbeddings(answer: Record<string, unknown>, count: number): number[][] {
  const data = arrayOf(answer.data, 'data', count).map((d, i) => objectOf(d, `data[${i}]`));
  const out: number[][] = new Array<number[]>(count);
  data.forEach((d, i) => {
    const at = typeof d.index === 'number' ? d.index : i;
    if (!Number.isInteger(at) || at < 0 || at >= count || out[at])
      throw new ProviderShapeError('data[].index is wrong');
    out[at] = numberArray(d.embedding, `data[${i}].embedding`);
  });
  return out;
}

/** `[{index, <score>}]` as a score per document, in the documents' order. */
export function scoresByIndex(results: unknown, count: number, scoreKey: string): number[] {
  const scores: number[] = new Array<number>(count).fill(Number.NaN);
  arrayOf(results, 'results').forEach((r, i) => {
    const o = objectOf(r, `results[${i}]`);
    const at = o.index;
    const score = o[scoreKey];
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= count)
      throw new ProviderShapeError(`results[${i}] has no valid index`);
    // JSON may carry 1e400, which parses to Infinity: no score a client could be given.
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw new ProviderShapeError(`results[${i}].${scoreKey} is not a finite number`);
    scores[at] = score;
  });
  if (scores.some((s) => Number.isNaN(s))) throw new ProviderShapeError('results do not score every document');
  return scores;
}
