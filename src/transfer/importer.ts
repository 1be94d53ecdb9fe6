import { Injectable } from '@nestjs/common';
import { DEFAULT_INDEX, type Collection } from '../core/collections/collection.model';
import { CollectionsService } from '../core/collections/collections.service';
import { AlreadyExistsError } from '../core/errors';
import { DenseVector } from '../core/records/dense-vector';
import type { RecordWrite, StoredRecord } from '../core/records/record.model';
import { NamespacesService } from '../core/records/namespaces.service';
import { RecordsService } from '../core/records/records.service';
import { sparseFromText, sparsevecText } from '../core/records/sparse-vector';
import type { Scope } from '../core/scope';
import { TenantsService } from '../core/tenants/tenants.service';
import { Checkpoint } from './checkpoint';
import { Progress } from './progress';
import type { Source, TransferCollection, TransferRecord } from './transfer.model';

export interface ImportOptions {
  into: Scope;
  /** Only these source collections (all when empty). */
  only: string[];
  /** The target's name, for a single collection. */
  as: string | null;
  batch: number;
  dryRun: boolean;
  onError: 'skip' | 'abort';
  checkpoint: Checkpoint;
  progress: Progress;
  /** Records compared with the source after each collection. */
  sampleSize: number;
}

export interface CollectionReport {
  source: string;
  target: string;
  sourceCount: number;
  targetCount: number;
  imported: number;
  skipped: string[];
  sampled: number;
  mismatches: string[];
}

/** A record that could not be written on its own, with the reason. */
export class BadRecordError extends Error {}

/** Items by namespace, in their order. */
function byNamespace<T extends { namespace: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.namespace);
    if (group) group.push(item);
    else groups.set(item.namespace, [item]);
  }
  return groups;
}

/**
 * JSON with every object's keys in order. Sorted by key alone: sort()'s default turns each [key,
 * value] entry into a string, which fails on a value with a `toString` key that is not a function.
 */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The differences between a source record and the stored one, float32 precision for vectors. */
function differences(
  a: TransferRecord,
  b: StoredRecord,
  sparse: { indices: number[]; values: number[] } | null,
): string[] {
  const out: string[] = [];
  const stored = b.embedding ? Array.from(DenseVector.fromText(b.embedding).values) : null;
  const same =
    (a.embedding === null && stored === null) ||
    (a.embedding !== null &&
      stored !== null &&
      a.embedding.length === stored.length &&
      a.embedding.every((x, k) => Math.fround(x) === stored[k]));
  if (!same) out.push('embedding');
  if ((a.document ?? null) !== (b.document ?? null)) out.push('document');
  if ((a.uri ?? null) !== (b.uri ?? null)) out.push('uri');
  if (sortedJson(a.metadata ?? null) !== sortedJson(b.metadata ?? null)) out.push('metadata');
  if (sortedJson(a.sparse ?? null) !== sortedJson(sparse)) out.push('sparse');
  return out;
}

/**
 * Moves a source's collections into vecgate through the core: one transaction per batch, as
 * idempotent upserts (a batch sent twice writes the same records), the checkpoint rewritten after
 * each; the HNSW index is left to the index builder, which builds it once the load has gone quiet.
 */
@Injectable()
export class Importer {
  constructor(
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsService,
    private readonly records: RecordsService,
    private readonly namespaces: NamespacesService,
  ) {}

  private async ensureScope(scope: Scope): Promise<void> {
    await this.tenants.createTenant(scope.tenant).catch((err) => {
      if (!(err instanceof AlreadyExistsError)) throw err;
    });
    await this.tenants.createDatabase(scope.tenant, scope.database).catch((err) => {
      if (!(err instanceof AlreadyExistsError)) throw err;
    });
  }

  private async target(scope: Scope, name: string, from: TransferCollection): Promise<Collection> {
    const collection = await this.collections.create(
      scope,
      {
        name,
        dimension: from.dimension,
        metric: from.metric,
        index: DEFAULT_INDEX,
        metadata: from.metadata && Object.keys(from.metadata).length ? from.metadata : null,
        extras: {},
        schema: null,
      },
      true,
    );
    if (collection.metric !== from.metric)
      throw new Error(`collection ${name} exists with metric ${collection.metric}, the source's is ${from.metric}`);
    return collection;
  }

  private toWrite(r: TransferRecord): RecordWrite {
    const write: RecordWrite = { id: r.id, document: r.document, uri: r.uri, metadata: r.metadata };
    if (r.embedding) write.embedding = DenseVector.fromNumbers(r.embedding);
    if (r.sparse && r.sparse.indices.length) write.sparse = sparsevecText(r.sparse.indices, r.sparse.values);
    return write;
  }

  /** One batch, per namespace; with onError 'skip', a batch that fails is written record by record. */
  private async writeBatch(
    scope: Scope,
    collection: Collection,
    records: TransferRecord[],
    onError: 'skip' | 'abort',
  ): Promise<{ written: number; skipped: string[]; skippedIds: Set<string> }> {
    let written = 0;
    const skipped: string[] = [];
    const skippedIds = new Set<string>();
    for (const [namespace, group] of byNamespace(records)) {
      try {
        await this.records.write(
          scope,
          collection.id,
          'merge',
          group.map((r) => this.toWrite(r)),
          namespace,
        );
        written += group.length;
      } catch (err) {
        if (onError === 'abort')
          throw new BadRecordError(
            `a batch of ${group.length} records (${group[0].id} … ${group[group.length - 1].id}) was refused, nothing of it written: ${(err as Error).message}`,
          );
        for (const r of group) {
          try {
            await this.records.write(scope, collection.id, 'merge', [this.toWrite(r)], namespace);
            written++;
          } catch (one) {
            skipped.push(`${r.id}: ${(one as Error).message}`);
            skippedIds.add(r.id);
          }
        }
      }
    }
    return { written, skipped, skippedIds };
  }

  async run(source: Source, options: ImportOptions): Promise<CollectionReport[]> {
    const all = await source.collections();
    const chosen = options.only.length ? all.filter((c) => options.only.includes(c.name)) : all;
    const missing = options.only.filter((n) => !all.some((c) => c.name === n));
    if (missing.length) throw new Error(`${source.label} has no collection ${missing.join(', ')}`);
    if (options.as !== null && chosen.length !== 1) throw new Error('--as needs exactly one collection');
    // Every collection is counted before anything is written: a source that checks its files
    // as it counts (a Chroma data directory) refuses a damaged one before the target is touched.
    const counts: number[] = [];
    for (const from of chosen) counts.push(await source.count(from));
    if (!options.dryRun) await this.ensureScope(options.into);
    const reports: CollectionReport[] = [];
    for (const [k, from] of chosen.entries()) {
      const name = options.as ?? from.name;
      const sourceCount = counts[k];
      if (options.dryRun) {
        reports.push({
          source: from.name,
          target: name,
          sourceCount,
          targetCount: 0,
          imported: 0,
          skipped: [],
          sampled: 0,
          mismatches: [],
        });
        continue;
      }
      const collection = await this.target(options.into, name, from);
      const state = options.checkpoint.get(name);
      const sample: { namespace: string; id: string }[] = [];
      let seen = 0;
      options.progress.start();
      while (!state.done) {
        const page = await source.page(from, state.cursor, options.batch);
        const { written, skipped, skippedIds } = await this.writeBatch(
          options.into,
          collection,
          page.records,
          options.onError,
        );
        state.imported += written;
        state.skipped.push(...skipped);
        state.cursor = page.next;
        state.done = page.next === null;
        options.checkpoint.save(name, state);
        for (const r of page.records) {
          if (skippedIds.has(r.id)) continue;
          // Reservoir sampling: every record read in this run has the same chance to be compared.
          seen++;
          if (sample.length < options.sampleSize) sample.push(r);
          else if (Math.random() < options.sampleSize / seen) sample[Math.floor(Math.random() * sample.length)] = r;
        }
        options.progress.update(name, state.imported, sourceCount, state.done);
      }
      reports.push({
        ...(await this.verify(options.into, source, from, collection, sample)),
        source: from.name,
        target: name,
        sourceCount,
        imported: state.imported,
        skipped: state.skipped,
      });
    }
    return reports;
  }

  /** Counts and a sample of records, read back from vecgate and from the source. */
  private async verify(
    scope: Scope,
    source: Source,
    from: TransferCollection,
    collection: Collection,
    sample: { namespace: string; id: string }[],
  ): Promise<Pick<CollectionReport, 'targetCount' | 'sampled' | 'mismatches'>> {
    const { namespaces } = await this.namespaces.stats(scope, collection.id);
    const targetCount = namespaces.reduce((s, n) => s + n.records, 0);
    const mismatches: string[] = [];
    for (const [namespace, group] of byNamespace(sample)) {
      const ids = group.map((s) => s.id);
      const theirs = await source.fetch(from, namespace, ids);
      const ours = await this.records.find(
        scope,
        collection.id,
        {
          filter: { kind: 'idIn', ids },
          include: { embeddings: true, sparse: true, documents: true, metadatas: true, uris: true },
          limit: null,
          offset: 0,
        },
        namespace,
      );
      const byId = new Map(ours.map((r) => [r.id, r]));
      for (const t of theirs) {
        const o = byId.get(t.id);
        if (!o) {
          mismatches.push(`${t.id}: missing`);
          continue;
        }
        const diff = differences(t, o, o.sparse ? sparseFromText(o.sparse) : null);
        if (diff.length) mismatches.push(`${t.id}: ${diff.join(', ')} differ`);
      }
    }
    return { targetCount, sampled: sample.length, mismatches };
  }
}
