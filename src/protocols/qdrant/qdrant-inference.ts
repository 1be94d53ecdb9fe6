import type { Collection } from '../../core/collections/collection.model';
import {
  MAX_TEXT_CHARS,
  type InferenceService,
  type InputType,
  type ModelSettings,
  type SparseValues,
} from '../../inference/inference.service';
import { isObject, type JsonObject } from '../json-guards';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { resolveVector, type QdrantLayout } from './qdrant-layout';
import { bm25Settings, isQdrantBm25, type Bm25Settings, type QdrantBm25 } from './qdrant-bm25';
import {
  MAX_CONTEXT_PAIRS,
  MAX_EXAMPLES,
  MAX_INPUTS as MAX_PREFETCHES,
  MAX_SEARCHES,
} from '../../core/search/plan-budget';

/** Qdrant's inference objects, by the field that holds their input. */
type InferenceKind = 'Document' | 'Image' | 'InferenceObject';

/**
 * Which inference object a value is, or null for a vector (or a map of named vectors: a vector is
 * a list or `{indices, values}`, never a string, so a vector named `text` stays a vector).
 */
export function inferenceKind(value: unknown): InferenceKind | null {
  if (!isObject(value)) return null;
  const model = typeof value.model === 'string';
  if ('text' in value && (model || typeof value.text === 'string')) return 'Document';
  if ('image' in value && (model || typeof value.image === 'string')) return 'Image';
  if ('object' in value && model) return 'InferenceObject';
  return null;
}

interface Slot {
  text: string;
  model: ModelSettings;
  place(vector: number[] | SparseValues): void;
}

/** A Document for Qdrant's own BM25 (qdrant-bm25.ts), with the settings its options give. */
interface Bm25Slot {
  text: string;
  settings: Bm25Settings;
  place(vector: SparseValues): void;
}

/**
 * The Documents of one request (Qdrant's `{"text", "model", "options"}` where a vector goes),
 * found where Qdrant 1.19 takes them, checked against the vector each is for (the model's kind
 * and dimension), then embedded together: one provider call per model (the service batches it),
 * texts once each, passages for writes and queries for searches. `embed()` puts each vector in
 * its Document's place, so the request is then parsed as if the client had sent vectors. Callers
 * embed before they write: a provider that fails leaves nothing written.
 */
export class QdrantDocuments {
  private readonly slots: Slot[] = [];
  private readonly bm25Slots: Bm25Slot[] = [];

  constructor(
    private readonly inference: InferenceService,
    private readonly c: Collection,
    private readonly layout: QdrantLayout,
    private readonly input: InputType,
    private readonly bm25?: QdrantBm25,
  ) {}

  /** A point's `vector` (VectorStruct): a Document for the unnamed vector, or Documents by name. */
  pointVector(point: unknown, field: string): void {
    if (!isObject(point)) return;
    const v = point.vector;
    if (inferenceKind(v)) return this.at(point, 'vector', '', `${field}.vector`);
    if (isObject(v)) for (const name of Object.keys(v)) this.at(v, name, name, `${field}.vector.${name}`);
  }

  /** An upsert's or update_vectors' `points`. */
  points(points: unknown, field = 'points'): void {
    if (Array.isArray(points)) points.forEach((p, i) => this.pointVector(p, `${field}[${i}]`));
  }

  /** An upsert's `batch.vectors`: a list for the unnamed vector, or a list per name. */
  batch(batch: unknown, field = 'batch'): void {
    if (!isObject(batch)) return;
    const v = batch.vectors;
    if (Array.isArray(v)) v.forEach((_, i) => this.at(v, i, '', `${field}.vectors[${i}]`));
    else if (isObject(v))
      for (const [name, list] of Object.entries(v))
        if (Array.isArray(list)) list.forEach((_, i) => this.at(list, i, name, `${field}.vectors.${name}[${i}]`));
  }

  /** An upsert body (its points list or batch); `prefix` places it in a larger request. */
  upsert(body: JsonObject, prefix = ''): void {
    if (isObject(body.batch)) this.batch(body.batch, `${prefix}batch`);
    else this.points(body.points, `${prefix}points`);
  }

  /**
   * A Query API request: `query` (a VectorInput, `nearest`, recommend's examples, discover's
   * target and context pairs, context pairs), each for the vector `using` names, and its
   * prefetches'. Lists past the query parser's limits are left for it to refuse, unembedded.
   */
  query(body: unknown, field = ''): void {
    this.queryIn(body, field, { searches: MAX_SEARCHES });
  }

  private queryIn(body: unknown, field: string, budget: { searches: number }): void {
    if (!isObject(body)) return;
    const using = body.using;
    const at = (holder: JsonObject | unknown[], key: string | number, path: string) =>
      this.atUsing(holder, key, using, `${field}${path}`);
    at(body, 'query', 'query');
    const q = body.query;
    if (isObject(q)) {
      if ('nearest' in q) at(q, 'nearest', 'query.nearest');
      const pairs = (context: unknown, path: string) => {
        const list = Array.isArray(context) ? context : [context];
        if (list.length > MAX_CONTEXT_PAIRS) return;
        list.forEach((pair, i) => {
          if (!isObject(pair)) return;
          at(pair, 'positive', `${path}[${i}].positive`);
          at(pair, 'negative', `${path}[${i}].negative`);
        });
      };
      if (isObject(q.recommend))
        for (const side of ['positive', 'negative']) {
          const list = q.recommend[side];
          if (Array.isArray(list) && list.length <= MAX_EXAMPLES)
            list.forEach((_, i) => at(list, i, `query.recommend.${side}[${i}]`));
        }
      if (isObject(q.discover)) {
        at(q.discover, 'target', 'query.discover.target');
        pairs(q.discover.context, 'query.discover.context');
      }
      if ('context' in q) pairs(q.context, 'query.context');
    }
    const prefetch = body.prefetch;
    const prefetches = Array.isArray(prefetch) ? prefetch : [prefetch];
    if (prefetches.length > MAX_PREFETCHES) return;
    prefetches.forEach((p, i) => {
      // Every prefetch is a search of the query's budget, at any depth.
      if (isObject(p) && --budget.searches >= 0) this.queryIn(p, `${field}prefetch[${i}].`, budget);
    });
  }

  /** Embeds every Document found, and puts each vector in its Document's place. */
  async embed(): Promise<void> {
    await this.embedBm25();
    const byModel = new Map<string, Slot[]>();
    for (const s of this.slots) {
      const list = byModel.get(s.model.name);
      if (list) list.push(s);
      else byModel.set(s.model.name, [s]);
    }
    await Promise.all(
      [...byModel].map(async ([model, slots]) => {
        // Qdrant embeds each distinct input once; so does vecgate.
        const texts = [...new Set(slots.map((s) => s.text))];
        const { vectors } = await this.inference.embed(model, texts, this.input);
        const index = new Map(texts.map((t, i) => [t, i]));
        for (const s of slots) s.place(vectors[index.get(s.text)!]);
      }),
    );
  }

  /** Qdrant's own BM25: the Documents of one set of options together, each text once. */
  private async embedBm25(): Promise<void> {
    const bySettings = new Map<string, Bm25Slot[]>();
    for (const s of this.bm25Slots) {
      const key = JSON.stringify(s.settings);
      bySettings.set(key, [...(bySettings.get(key) ?? []), s]);
    }
    for (const slots of bySettings.values()) {
      const texts = [...new Set(slots.map((s) => s.text))];
      const vectors = await this.bm25!.embed(texts, slots[0].settings, this.input);
      const index = new Map(texts.map((t, i) => [t, i]));
      for (const s of slots) s.place(vectors[index.get(s.text)!]);
    }
  }

  private atUsing(holder: JsonObject | unknown[], key: string | number, using: unknown, field: string): void {
    if (!inferenceKind((holder as Record<string | number, unknown>)[key])) return;
    const name = using === undefined || using === null ? '' : using;
    if (typeof name !== 'string') throw QdrantHttpError.format('using must be a vector name');
    this.at(holder, key, name, field);
  }

  /** `holder[key]`, when it is an inference object, to be embedded for the vector `name`. */
  private at(holder: JsonObject | unknown[], key: string | number, name: string, field: string): void {
    const slot = holder as Record<string | number, unknown>;
    const value = slot[key];
    const kind = inferenceKind(value);
    if (!kind) return;
    if (kind !== 'Document')
      throw QdrantHttpError.badRequest(
        `${field}: vecgate embeds text only: send a Document {"text", "model"} or a vector, not an ${kind}`,
      );
    const doc = onlyFields(value as JsonObject, FIELDS.Document, field);
    if (typeof doc.text !== 'string') throw QdrantHttpError.format(`${field}.text must be a string`);
    if (typeof doc.model !== 'string') throw QdrantHttpError.format(`${field}: missing field \`model\``);
    if (doc.options !== undefined && doc.options !== null && !isObject(doc.options))
      throw QdrantHttpError.format(`${field}.options must be an object`);
    // Qdrant's own BM25, unless the operator maps the name to a model of theirs: any text, an empty
    // one too (its vector is empty), as Qdrant takes it.
    if (this.bm25 && isQdrantBm25(doc.model) && !this.inference.find(doc.model)) {
      if (doc.text.length > MAX_TEXT_CHARS)
        throw QdrantHttpError.badRequest(
          `${field}.text has ${doc.text.length} characters; at most ${MAX_TEXT_CHARS} are read`,
        );
      this.sparseVectorFor(doc.model, name, field);
      const settings = bm25Settings(doc.options, `${field}.options`);
      this.bm25Slots.push({ text: doc.text, settings, place: (vector) => (slot[key] = vector) });
      return;
    }
    if (doc.text.trim() === '') throw QdrantHttpError.badRequest(`${field}.text is empty: there is no text to embed`);
    if (doc.text.length > MAX_TEXT_CHARS)
      throw QdrantHttpError.badRequest(
        `${field}.text has ${doc.text.length} characters; at most ${MAX_TEXT_CHARS} are sent to a model`,
      );
    const model = this.modelFor(doc.model, name, field);
    this.slots.push({ text: doc.text, model, place: (vector) => (slot[key] = vector) });
  }

  /** Refuses a sparse model's Document for a vector that is not a sparse one, in Qdrant's words. */
  private sparseVectorFor(model: string, vector: string, field: string): void {
    const ref = resolveVector(this.c, this.layout, vector);
    if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${vector}`);
    if (ref.kind === 'sparse') return;
    if (vector === '')
      throw QdrantHttpError.badRequest(
        `Sparse vector should be named: ${field} has sparse model ${JSON.stringify(model)}; put it under a sparse vector's name`,
      );
    throw QdrantHttpError.wrongInput(
      `Conversion between sparse and regular vectors failed: model ${JSON.stringify(model)} makes sparse vectors and vector ${JSON.stringify(vector)} is dense`,
    );
  }

  /** The model of a Document, checked against the vector it is for: its kind, and a dense vector's size. */
  private modelFor(name: string, vector: string, field: string): ModelSettings {
    const model = this.inference.find(name);
    if (!model || model.type !== 'embed')
      throw QdrantHttpError.badRequest(
        `${field}: model ${JSON.stringify(name)} is not ${model ? 'an embedding model' : 'available'} on this gateway: ` +
          'it embeds with the models its operator maps (VECGATE_INFERENCE_CONFIG)',
      );
    const ref = resolveVector(this.c, this.layout, vector);
    if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${vector}`);
    if (ref.kind !== model.vectorType) {
      if (vector === '' && model.vectorType === 'sparse')
        throw QdrantHttpError.badRequest(
          `Sparse vector should be named: ${field} has sparse model ${JSON.stringify(name)}; put it under a sparse vector's name`,
        );
      throw QdrantHttpError.wrongInput(
        `Conversion between sparse and regular vectors failed: model ${JSON.stringify(name)} makes ${model.vectorType} ` +
          `vectors and vector ${JSON.stringify(vector)} is ${ref.kind}`,
      );
    }
    const dimension = ref.kind === 'dense' ? (ref.field ? ref.field.dimension : this.c.dimension) : null;
    if (dimension !== null && model.dimension !== null && model.dimension !== dimension)
      throw QdrantHttpError.wrongInput(
        `Vector dimension error: expected dim: ${dimension}, got ${model.dimension} ` +
          `(model ${JSON.stringify(name)} embeds ${model.dimension} dimensions)`,
      );
    return model;
  }
}
