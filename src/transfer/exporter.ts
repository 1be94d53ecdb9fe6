import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { Collection } from '../core/collections/collection.model';
import { CollectionsService } from '../core/collections/collections.service';
import { ALL } from '../core/filters/filter-ast';
import { NamespacesService } from '../core/records/namespaces.service';
import { RecordsService } from '../core/records/records.service';
import { sparseFromText } from '../core/records/sparse-vector';
import type { Scope } from '../core/scope';
import { EXPORT_FORMAT, type JsonlHeader } from './jsonl-format';
import { DEFAULT_NAMESPACE_DIR, HEADER_KEY, parquetSchema, RECORDS_PER_FILE, rowGroupRows } from './parquet-format';
import { parquetWriter } from './parquet-files';
import type { Progress } from './progress';
import type { TransferCollection, TransferRecord } from './transfer.model';

const PAGE = 1000;

/**
 * Why a namespace cannot be a directory of Pinecone's layout, or null: a directory name is one path
 * segment, so `..` or `a/b` would write outside the target or where no import reads, and
 * `__default__` is read back as the default namespace.
 */
function notADirectory(namespace: string): string | null {
  if (namespace === '') return null;
  if (namespace === '.' || namespace === '..') return 'is a relative path, not a name';
  if (namespace.includes('/') || namespace.includes(sep)) return 'holds a path separator';
  if (namespace === DEFAULT_NAMESPACE_DIR) return "is read back as the default namespace's directory";
  return null;
}

/**
 * A collection to files: JSONL (`.jsonl`, jsonl-format.ts), one Parquet file (`.parquet`, a
 * collection of one namespace) or a directory in Pinecone's import layout (parquet-format.ts).
 * Every namespace, in keyset pages of ids, each page one statement. Writes that land during the
 * export may or may not be in it: stop writers for a point-in-time copy (or export a Pinecone
 * backup, which is one transaction).
 */
@Injectable()
export class Exporter {
  constructor(
    private readonly collections: CollectionsService,
    private readonly namespaces: NamespacesService,
    private readonly records: RecordsService,
  ) {}

  /** One namespace's records, page by page. */
  private async *pages(scope: Scope, collection: Collection, namespace: string): AsyncGenerator<TransferRecord[]> {
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
      yield page.map((r) => ({
        namespace,
        id: r.id,
        // pgvector's text is the shortest decimal of each float32: JSON as it stands.
        embedding: r.embedding ? (JSON.parse(r.embedding) as number[]) : null,
        sparse: r.sparse ? sparseFromText(r.sparse) : null,
        document: r.document ?? null,
        uri: r.uri ?? null,
        metadata: r.metadata ?? null,
      }));
      if (page.length < PAGE) return;
      after = page[page.length - 1].id;
    }
  }

  async run(scope: Scope, name: string, target: string, progress: Progress): Promise<number> {
    const collection = await this.collections.getByName(scope, name);
    const { namespaces } = await this.namespaces.stats(scope, collection.id);
    const total = namespaces.reduce((s, n) => s + n.records, 0);
    const header: TransferCollection = {
      name,
      metric: collection.metric,
      dimension: collection.dimension,
      metadata: collection.metadata,
    };
    const names = namespaces.map((n) => n.name);
    let written = 0;
    progress.start();
    const counted = (n: number) => {
      written += n;
      progress.update(`export ${name}`, written, total);
    };
    if (target.endsWith('.jsonl')) await this.toJsonl(scope, collection, header, names, target, counted);
    else if (target.endsWith('.parquet')) {
      if (names.length > 1)
        throw new Error(`${name} has ${names.length} namespaces: export it to a directory, one per namespace`);
      // A single file is read back into the default namespace: another one would be lost.
      if (names.length === 1 && names[0] !== '')
        throw new Error(
          `${name}'s records are in the namespace ${JSON.stringify(names[0])}, which one file does not keep: export it to a directory`,
        );
      await this.toParquet(scope, collection, header, names[0] ?? '', (part) => (part === 0 ? target : null), counted);
    } else {
      for (const namespace of names) {
        const why = notADirectory(namespace);
        if (why)
          throw new Error(
            `${name}: the namespace ${JSON.stringify(namespace)} ${why}, so it cannot be a directory of Pinecone's layout: export to a .jsonl file, which keeps every namespace`,
          );
      }
      for (const namespace of names) {
        const dir = join(target, namespace === '' ? DEFAULT_NAMESPACE_DIR : namespace);
        mkdirSync(dir, { recursive: true });
        await this.toParquet(
          scope,
          collection,
          header,
          namespace,
          (part) => join(dir, `part-${String(part).padStart(5, '0')}.parquet`),
          counted,
        );
      }
    }
    progress.update(`export ${name}`, written, total, true);
    return written;
  }

  private async toJsonl(
    scope: Scope,
    collection: Collection,
    header: TransferCollection,
    namespaces: string[],
    file: string,
    counted: (n: number) => void,
  ): Promise<void> {
    const out = createWriteStream(file);
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    };
    const first: JsonlHeader = { format: EXPORT_FORMAT, collection: header };
    await write(JSON.stringify(first));
    for (const namespace of namespaces) {
      for await (const page of this.pages(scope, collection, namespace)) {
        for (const r of page) await write(JSON.stringify(r));
        counted(page.length);
      }
    }
    out.end();
    await once(out, 'finish');
  }

  /** One namespace to files of at most RECORDS_PER_FILE records; `fileFor(part)` null means no more files are allowed. */
  private async toParquet(
    scope: Scope,
    collection: Collection,
    header: TransferCollection,
    namespace: string,
    fileFor: (part: number) => string | null,
    counted: (n: number) => void,
  ): Promise<void> {
    const writer = await parquetWriter();
    let rows: TransferRecord[] = [];
    let part = 0;
    const flush = () => {
      if (rows.length === 0 && part > 0) return;
      const filename = fileFor(part);
      if (filename === null)
        throw new Error(`more than ${RECORDS_PER_FILE} records: export to a directory, which holds several files`);
      const text = rows.some((r) => r.document !== null || r.uri !== null);
      const columnData = [
        { name: 'id', data: rows.map((r) => r.id) },
        { name: 'values', data: rows.map((r) => r.embedding) },
        { name: 'sparse_values', data: rows.map((r) => r.sparse) },
        { name: 'metadata', data: rows.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null)) },
        ...(text
          ? [
              { name: 'document', data: rows.map((r) => r.document) },
              { name: 'uri', data: rows.map((r) => r.uri) },
            ]
          : []),
      ];
      writer.parquetWriteFile({
        filename,
        columnData,
        schema: parquetSchema(text),
        kvMetadata: [{ key: HEADER_KEY, value: JSON.stringify({ collection: header }) }],
        rowGroupSize: rowGroupRows(rows),
      });
      part++;
      rows = [];
    };
    for await (const page of this.pages(scope, collection, namespace)) {
      rows.push(...page);
      counted(page.length);
      if (rows.length >= RECORDS_PER_FILE) flush();
    }
    flush();
  }
}
