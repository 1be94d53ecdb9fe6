import { Injectable } from '@nestjs/common';
import { MAX_WORD_CAP, type TextAnalyzer, type Tokenizer } from '../../core/text/text-field';
import { TextAnalysisService } from '../../core/text/text-analysis.service';
import type { SparseValues } from '../../inference/inference.service';
import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';
import { qdrantLanguage, stopWordsOf } from './qdrant-stop-words';
import { optionalBool, optionalUint, stemmer, stopwords } from './text-index';

/**
 * Qdrant's local BM25 model (`qdrant/bm25`, or `bm25`, any case), which Qdrant runs itself: a
 * Document's text tokenized as its text index does (here by the same SQL as text fields, so a word
 * is the same word in both), each token's index the absolute value of its murmur3 hash read as an
 * i32, a document's weights tf·(k+1)/(tf + k·(1 − b + b·len/avg_len)), a query's 1 for each
 * distinct token. There is no IDF in the vector: a collection's `modifier: idf` adds it at search.
 */

/** The model names Qdrant serves itself (lowercased). */
const LOCAL_NAMES = new Set(['qdrant/bm25', 'bm25']);

export function isQdrantBm25(model: string): boolean {
  return LOCAL_NAMES.has(model.toLowerCase());
}

const TOKENIZERS: readonly Tokenizer[] = ['prefix', 'whitespace', 'word', 'multilingual'];

/** A Document's `options` as a BM25 model's parameters (Qdrant's Bm25Config); fields it does not know are ignored, as serde does. */
export interface Bm25Settings {
  k: number;
  b: number;
  avgLen: number;
  analyzer: TextAnalyzer;
}

function finite(options: JsonObject, field: string, fallback: number, at: string): number {
  const v = options[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw QdrantHttpError.format(`${at}.${field} must be a number`);
  return v;
}

export function bm25Settings(given: unknown, at: string): Bm25Settings {
  const options: JsonObject = isObject(given) ? given : {};
  const k = finite(options, 'k', 1.2, at);
  const b = finite(options, 'b', 0.75, at);
  const avgLen = finite(options, 'avg_len', 256, at);
  if (k < 0) throw QdrantHttpError.wrongInput(`BM25 k1 must be finite and >= 0, got ${k}`);
  if (b < 0 || b > 1) throw QdrantHttpError.wrongInput(`BM25 b must be finite and in [0.0, 1.0], got ${b}`);
  if (avgLen <= 0) throw QdrantHttpError.wrongInput(`BM25 avg_doc_len must be finite and > 0, got ${avgLen}`);
  const tokenizer = options.tokenizer ?? 'word';
  if (typeof tokenizer !== 'string' || !TOKENIZERS.includes(tokenizer as Tokenizer))
    throw QdrantHttpError.format(`${at}.tokenizer: unknown variant ${JSON.stringify(tokenizer)}`);
  const language = options.language ?? 'english';
  if (typeof language !== 'string') throw QdrantHttpError.format(`${at}.language must be a string`);
  const lowercase = optionalBool(options, 'lowercase', at) ?? true;
  // Unset, stop words and the stemmer are the language's: none for a language Qdrant does not know
  // ("none" was the way to turn both off).
  const known = qdrantLanguage(language);
  const stop =
    options.stopwords === undefined || options.stopwords === null
      ? { words: known ? [...new Set(stopWordsOf(known).map((w) => (lowercase ? w.toLowerCase() : w)))] : [] }
      : stopwords(options.stopwords, lowercase, `${at}.stopwords`);
  let stemLanguage: string | null;
  if (options.stemmer === undefined || options.stemmer === null) {
    try {
      stemLanguage = stemmer({ type: 'snowball', language }, at).language;
    } catch {
      stemLanguage = null;
    }
  } else stemLanguage = stemmer(options.stemmer, `${at}.stemmer`).language;
  return {
    k,
    b,
    avgLen,
    analyzer: {
      language: stemLanguage,
      stemming: stemLanguage !== null,
      stopWords: false,
      cap: MAX_WORD_CAP,
      ngram: null,
      tokenizer: tokenizer as Tokenizer,
      lowercase,
      asciiFolding: optionalBool(options, 'ascii_folding', at) ?? false,
      minLength: optionalUint(options, 'min_token_len', at) ?? null,
      maxLength: optionalUint(options, 'max_token_len', at) ?? null,
      stopList: stop.words,
    },
  };
}

/** MurmurHash3 x86 32-bit of the bytes, seed 0 (Qdrant's token id, before its absolute value). */
export function murmur3(bytes: Uint8Array): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const mix = (k: number) => Math.imul(rotl(Math.imul(k, c1), 15), c2);
  let h = 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h ^= mix(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  const left = bytes.length & 3;
  if (left === 3) tail ^= bytes[blocks + 2] << 16;
  if (left >= 2) tail ^= bytes[blocks + 1] << 8;
  if (left >= 1) h ^= mix(tail ^ bytes[blocks]);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** A token's index: murmur3 read as an i32, made positive (Rust's unsigned_abs). */
export function tokenId(token: string): number {
  return Math.abs(murmur3(Buffer.from(token, 'utf8')) | 0);
}

/** A document's (`passage`) or a query's sparse vector from its tokens. */
export function bm25Vector(tokens: string[], settings: Bm25Settings, input: 'passage' | 'query'): SparseValues {
  const counts = new Map<number, number>();
  for (const t of tokens) {
    const id = tokenId(t);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const indices = [...counts.keys()].sort((a, b) => a - b);
  if (input === 'query') return { indices, values: indices.map(() => 1) };
  const { k, b, avgLen } = settings;
  const norm = k * (1 - b + (b * tokens.length) / avgLen);
  return { indices, values: indices.map((i) => (counts.get(i)! * (k + 1)) / (norm + counts.get(i)!)) };
}

/** Qdrant's local BM25 for a request's Documents: the texts tokenized in the database, one statement per settings. */
@Injectable()
export class QdrantBm25 {
  constructor(private readonly analysis: TextAnalysisService) {}

  async embed(texts: string[], settings: Bm25Settings, input: 'passage' | 'query'): Promise<SparseValues[]> {
    const tokens = await this.analysis.tokens(settings.analyzer, texts, input === 'query');
    return tokens.map((t) => bm25Vector(t, settings, input));
  }
}
