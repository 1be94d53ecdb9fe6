import { Inject, Injectable } from '@nestjs/common';
import { recallShortfall } from '../indexing/recall-shortfall';
import { Database } from '../../database/database';
import { currentPrincipal } from '../auth/request-context';
import { scopeAllowed } from '../auth/scope-access';
import type { Collection, SearchTuning } from '../collections/collection.model';
import { CollectionsRepository } from '../collections/collections.repository';
import { CollectionsService } from '../collections/collections.service';
import { RecallSamplesRepository } from '../collections/recall-samples.repository';
import { MAX_HALFVEC_INDEX_DIMENSION } from '../collections/vector-index';
import { NotFoundError } from '../errors';
import { INDEXING_OPTIONS, type IndexingOptions } from '../indexing/indexing-options';
import { HnswBuildsRepository } from '../collections/hnsw-builds.repository';
import type { Scope } from '../scope';
import { type IndexBuild, type JobRow, OverviewRepository, type RangeKeyState } from './overview.repository';

/** Where a collection's HNSW index stands: built, being built, not needed at its size, or not there (yet). */
export interface IndexState {
  state: 'built' | 'building' | 'not-needed' | 'none';
  /** building: the share of the build's phase done, when Postgres reports it. */
  progress: number | null;
  detail: string;
}

export interface CollectionOverview {
  collection: Collection;
  namespaces: { name: string; records: number }[];
  rangeKeys: RangeKeyState[];
  sizeBytes: number;
  index: IndexState;
}

export interface DatabaseOverview {
  tenant: string;
  name: string;
  collections: CollectionOverview[];
}

/** The collections the console lists at most, over all databases (each described with a few catalog reads). */
export const OVERVIEW_MAX_COLLECTIONS = 2000;

/** The recall the sampled searches of a vector's own traffic measured (RecallSampler). */
export interface VectorTraffic {
  samples: number;
  recall: number | null;
  filteredSamples: number;
  filteredRecall: number | null;
}

export interface CollectionQuality {
  recallTarget: number;
  /** The default vector's (name '') and each named dense vector's last measurement and sampled traffic. */
  vectors: { name: string; tuning: SearchTuning | null; shortfall: string | null; traffic: VectorTraffic }[];
  /** The default vector's sampled traffic (vectors[0].traffic). */
  traffic: VectorTraffic;
}

/**
 * What the console shows of the catalog: every tenant, database and collection a request may see
 * (a key's tenant and databases only), each collection with its namespaces, noted range keys,
 * size on disk and index state; and a collection's search quality as measured.
 */
@Injectable()
export class OverviewService {
  constructor(
    private readonly db: Database,
    private readonly repository: OverviewRepository,
    private readonly collections: CollectionsService,
    private readonly catalog: CollectionsRepository,
    private readonly samples: RecallSamplesRepository,
    @Inject(INDEXING_OPTIONS) private readonly indexing: IndexingOptions,
    private readonly builds: HnswBuildsRepository,
  ) {}

  async tenants(): Promise<{ tenants: string[]; databases: DatabaseOverview[] }> {
    const principal = currentPrincipal();
    const { tenants, databases } = await this.repository.tenants(
      this.db,
      principal?.tenant ?? null,
      principal?.databases ?? null,
    );
    // One read for every database, up to as many collections as the overview shows.
    const collections = await this.catalog.listIn(
      this.db,
      databases.map((d) => d.id),
      OVERVIEW_MAX_COLLECTIONS,
    );
    const listed = databases.map((d) => ({
      tenant: d.tenant,
      name: d.name,
      collections: collections.filter((c) => c.databaseId === d.id),
    }));
    const described = await this.describe(listed.flatMap((d) => d.collections));
    return {
      tenants,
      databases: listed.map((d) => ({
        tenant: d.tenant,
        name: d.name,
        collections: d.collections.map((c) => described.get(c.id)!),
      })),
    };
  }

  /** Imports, backups and restores the request may see. */
  jobs(): Promise<JobRow[]> {
    const principal = currentPrincipal();
    return this.repository.jobs(this.db, principal?.tenant ?? null, principal?.databases ?? null);
  }

  /** The scope a collection lives in, checked against the request's key: a collection of another tenant is not found. */
  async scopeOf(collectionId: string): Promise<Scope> {
    const scope = await this.repository.scopeOf(this.db, collectionId);
    // Another tenant's collection is as unknown as a missing one: a 403 would tell ids apart.
    if (!scope || !scopeAllowed(scope.tenant, scope.database))
      throw new NotFoundError('collection', collectionId, 'id');
    return scope;
  }

  /** The collection alone, from the catalog cache (what a read of its records needs). */
  cached(scope: Scope, collectionId: string): Promise<Collection> {
    return this.collections.getCached(scope, collectionId);
  }

  async collection(scope: Scope, collectionId: string): Promise<CollectionOverview> {
    const collection = await this.collections.getById(scope, collectionId);
    return (await this.describe([collection])).get(collection.id)!;
  }

  async quality(scope: Scope, collectionId: string): Promise<CollectionQuality> {
    const collection = await this.collections.getById(scope, collectionId);
    const dense = [
      { name: '', position: 0, tuning: collection.tuning },
      ...collection.vectors.filter((v) => v.kind === 'dense' && !v.multivector),
    ];
    const sampled = await this.samples.recallByVector(
      this.db,
      collection.id,
      dense.map((v) => v.position),
    );
    const builds = await Promise.all(dense.map((v) => this.builds.history(this.db, collection.id, v.position)));
    const vectors = dense.map((v, i) => {
      const traffic = sampled[i];
      const index = 'index' in v ? v.index : collection.index;
      return {
        name: v.name,
        tuning: v.tuning,
        index: { m: index.m, efConstruction: index.efConstruction },
        builds: builds[i],
        shortfall: recallShortfall(v.tuning, index, this.indexing, builds[i]),
        traffic: {
          samples: traffic.unfiltered.samples,
          recall: traffic.unfiltered.samples > 0 ? traffic.unfiltered.recall : null,
          filteredSamples: traffic.filtered.samples,
          filteredRecall: traffic.filtered.samples > 0 ? traffic.filtered.recall : null,
        },
      };
    });
    return { recallTarget: this.indexing.recallTarget, vectors, traffic: vectors[0].traffic };
  }

  private async describe(collections: Collection[]): Promise<Map<string, CollectionOverview>> {
    const ids = collections.map((c) => c.id);
    const [sizes, namespaces, rangeKeys, builds] = await Promise.all([
      this.repository.sizes(
        this.db,
        collections.map((c) => c.tableName),
      ),
      this.repository.namespaces(this.db, ids),
      this.repository.rangeKeys(this.db, ids),
      this.db.backend === 'postgres' ? this.repository.builds(this.db) : new Map<string, IndexBuild>(),
    ]);
    return new Map(
      collections.map((c) => [
        c.id,
        {
          collection: c,
          namespaces: namespaces.get(c.id) ?? [],
          rangeKeys: rangeKeys.get(c.id) ?? [],
          sizeBytes: sizes.get(c.tableName) ?? 0,
          index: this.indexState(c, builds.get(c.tableName)),
        },
      ]),
    );
  }

  private indexState(collection: Collection, build: IndexBuild | undefined): IndexState {
    if (collection.vectorIndexed) return { state: 'built', progress: null, detail: 'HNSW index built' };
    if (build) return { state: 'building', progress: build.progress, detail: `HNSW index being built: ${build.phase}` };
    if (collection.dimension === null) return { state: 'not-needed', progress: null, detail: 'no vectors yet' };
    if (collection.dimension > MAX_HALFVEC_INDEX_DIMENSION)
      return {
        state: 'none',
        progress: null,
        detail: `past HNSW's ${MAX_HALFVEC_INDEX_DIMENSION} dimensions: searches read every record`,
      };
    const records = collection.records ?? 0;
    if (records < this.indexing.minRows)
      return {
        state: 'not-needed',
        progress: null,
        detail: `under ${this.indexing.minRows} records: an exact search reads them all fast`,
      };
    return {
      state: 'none',
      progress: null,
      detail: 'due: the index builder builds it once writes pause (searches are exact meanwhile)',
    };
  }
}
