import { loadConfig } from '../../src/config/load-config';
import { AliasesRepository } from '../../src/core/collections/aliases.repository';
import { CollectionsRepository } from '../../src/core/collections/collections.repository';
import { CollectionsService } from '../../src/core/collections/collections.service';
import { RangeIndexRepository } from '../../src/core/collections/range-index.repository';
import { RecallSamplesRepository } from '../../src/core/collections/recall-samples.repository';
import { RecordTableRepository } from '../../src/core/collections/record-table.repository';
import { SearchTuningRepository } from '../../src/core/collections/search-tuning.repository';
import { NamespacesRepository } from '../../src/core/records/namespaces.repository';
import { RangeKeyTracker } from '../../src/core/records/range-key-tracker';
import { RecallSampler } from '../../src/core/records/recall-sampler';
import { RecordsRepository } from '../../src/core/records/records.repository';
import { RecordsService } from '../../src/core/records/records.service';
import { TenantsRepository } from '../../src/core/tenants/tenants.repository';
import { TenantsService } from '../../src/core/tenants/tenants.service';
import { TextFieldsRepository } from '../../src/core/text/text-fields.repository';
import type { Database } from '../../src/database/database';

/**
 * A gateway's catalog and records services over `db`, made by hand as Nest would make them, with a
 * catalog cache of their own: each call is a replica. The search tuner and the recall sampler stay
 * idle (no recall target, no traffic share).
 */
export function coreServices(db: Database): { collections: CollectionsService; records: RecordsService } {
  const indexing = { ...loadConfig({}).indexing, recallTarget: 0, trafficShare: 0 };
  const tenantsRepository = new TenantsRepository();
  const collections = new CollectionsService(
    db,
    new TenantsService(db, tenantsRepository),
    tenantsRepository,
    new CollectionsRepository(),
    new RecordTableRepository(),
    new SearchTuningRepository(),
    new RecallSamplesRepository(),
    new AliasesRepository(),
    new TextFieldsRepository(),
    indexing,
  );
  const repository = new RecordsRepository(db);
  const records = new RecordsService(
    db,
    collections,
    repository,
    new NamespacesRepository(),
    new RangeKeyTracker(indexing, db, new RangeIndexRepository()),
    new RecallSampler(indexing, db, repository, new RecallSamplesRepository()),
    indexing,
  );
  return { collections, records };
}
