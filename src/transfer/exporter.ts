import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Injectable } from '@nestjs/common';
import { CollectionsService } from '../core/collections/collections.service';
import { ALL } from '../core/filters/filter-ast';
import { NamespacesService } from '../core/records/namespaces.service';
import { RecordsService } from '../core/records/records.service';
import { sparseFromText } from '../core/records/sparse-vector';
import type { Scope } from '../core/scope';
import { EXPORT_FORMAT, type JsonlHeader } from './jsonl-format';
import { Progress } from './progress';

const PAGE = 1000;

/**
 * A collection to a JSONL file (jsonl-format.ts): every namespace, in keyset pages of ids, each
 * page one statement. Writes that land during the export may or may not be in it; stop writers
 * for a point-in-time copy (or use a Pinecone backup, which is one transaction).
 */
@Injectable()
export class Exporter {
  constructor(
    private readonly collections: CollectionsService,
    private readonly namespaces: NamespacesService,
    private readonly records: RecordsService,
  ) {}

  async run(scope: Scope, name: string, file: string, progress: Progress): Promise<number> {
    const collection = await this.collections.getByName(scope, name);
    const { namespaces } = await this.namespaces.stats(scope, collection.id);
    const total = namespaces.reduce((s, n) => s + n.records, 0);
    const out = createWriteStream(file);
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    };
    const header: JsonlHeader = {
      format: EXPORT_FORMAT,
      collection: { name, metric: collection.metric, dimension: collection.dimension, metadata: collection.metadata },
    };
    await write(JSON.stringify(header));
    let written = 0;
    progress.start();
    for (const { name: namespace } of namespaces) {
      for (let after = ''; ;) {
        const page = await this.records.find(
          scope,
          collection.id,
          {
            filter: ALL,
            include: { embeddings: true, sparse: true, documents: true, metadatas: true, uris: true },
            limit: PAGE,
            offset: 0,
            afterId: after,
          },
          namespace,
        );
        for (const r of page) {
          await write(
            JSON.stringify({
              namespace,
              id: r.id,
              // pgvector's text is the shortest decimal of each float32: JSON as it stands.
              embedding: r.embedding ? JSON.parse(r.embedding) : null,
              sparse: r.sparse ? sparseFromText(r.sparse) : null,
              document: r.document ?? null,
              uri: r.uri ?? null,
              metadata: r.metadata ?? null,
            }),
          );
        }
        written += page.length;
        progress.update(`export ${name}`, written, total);
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
    }
    out.end();
    await once(out, 'finish');
    progress.update(`export ${name}`, written, total, true);
    return written;
  }
}
