import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database';
import { qualified } from '../collections/record-table.repository';
import { textConfig, type NewTextField, type TextAnalyzer, type TextField } from './text-field';

/** A text field's columns: its analysed words (`t<position>`) and their count (`tl<position>`). */
export function textColumn(position: number): string {
  if (!Number.isInteger(position) || position < 1) throw new Error(`not a text field position: ${position}`);
  return `t${position}`;
}

export function textLengthColumn(position: number): string {
  return `tl${textColumn(position).slice(1)}`;
}

/** The record table's trigger functions are named from it and these (in vecgate_records, beside it). */
const ANALYSE_SUFFIX = '_text';
const STATS_SUFFIX = '_text_stats';

/**
 * The postings table beside a record table (migrations/027): a row per namespace, field, word and
 * record, for the fields analysed by words (Pinecone's), which BM25 searches read.
 */
export function postingsTableName(table: string): string {
  qualified(table);
  return `${table}_tp`;
}

export function postingsTable(table: string): string {
  return `vecgate_records."${postingsTableName(table)}"`;
}

/**
 * The document frequencies beside the postings (migrations/033): per namespace, field and word,
 * deltas in up to 16 slots, whose sum is how many postings the word has.
 */
export function frequenciesTable(table: string): string {
  qualified(table);
  return `vecgate_records."${table}_tdf"`;
}

/** Whether a field has postings: analysed by words, not token by token (a Qdrant text index). */
export function hasPostings(field: TextField): boolean {
  return field.analyzer.tokenizer === undefined;
}

function checkedUuid(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new Error(`not a uuid: ${id}`);
  return id;
}

/**
 * The catalog of text fields (vecgate_text_fields) and what they need of a record table: two
 * columns each, a GIN index over the words, a row trigger that analyses the metadata on every
 * insert and every change of it, and statement triggers that keep BM25's statistics per
 * namespace (vecgate_text_stats) and the words each field holds (vecgate_text_terms). Only positions and the gateway's own uuids reach the DDL; keys
 * and analysers are read from the catalog by the trigger itself.
 */
@Injectable()
export class TextFieldsRepository {
  /** Declares fields at positions no text field of the collection has had (as named vectors). */
  async insert(db: Queryable, collectionId: string, fields: NewTextField[]): Promise<TextField[]> {
    if (fields.length === 0) return [];
    const { rows } = await db.query<{ last: number }>(
      `UPDATE vecgate_collections SET last_text_position = last_text_position + $2,
         catalog_version = catalog_version + 1 WHERE id = $1 RETURNING last_text_position AS last`,
      [collectionId, fields.length],
    );
    const first = rows[0].last - fields.length + 1;
    const placed = fields.map((f, i) => ({ ...f, position: first + i }));
    await this.insertRows(db, collectionId, placed);
    return placed;
  }

  /** Declares fields at the positions they have in another collection (a fork's or a restore's). */
  async place(db: Queryable, collectionId: string, fields: TextField[]): Promise<void> {
    if (fields.length === 0) return;
    await db.query(
      `UPDATE vecgate_collections SET last_text_position = greatest(last_text_position, $2),
         catalog_version = catalog_version + 1 WHERE id = $1`,
      [collectionId, Math.max(...fields.map((f) => f.position))],
    );
    await this.insertRows(db, collectionId, fields);
  }

  private async insertRows(db: Queryable, collectionId: string, fields: TextField[]): Promise<void> {
    for (const f of fields)
      await db.query(
        `INSERT INTO vecgate_text_fields (collection_id, position, path, config, analyzer)
         VALUES ($1, $2, $3, $4::regconfig, $5)`,
        [collectionId, f.position, f.path, textConfig(f.analyzer), JSON.stringify(f.analyzer)],
      );
  }

  /**
   * The tokens of each text under a token-by-token analyser (migrations/024), in order: as a
   * document holds them, or (`query`) as a query is made of them.
   */
  async tokenize(db: Queryable, analyzer: TextAnalyzer, texts: string[], query: boolean): Promise<string[][]> {
    const tokens: string[][] = texts.map(() => []);
    if (texts.length === 0) return tokens;
    const { rows } = await db.query<{ i: number; token: string }>(
      `SELECT t.i::int AS i, l.token FROM unnest($2::text[]) WITH ORDINALITY AS t(value, i)
       CROSS JOIN LATERAL vecgate_text_token_list($1::jsonb, to_jsonb(t.value), $3) l ORDER BY t.i, l.pos`,
      [JSON.stringify(analyzer), texts, query],
    );
    for (const r of rows) tokens[r.i - 1].push(r.token);
    return tokens;
  }

  async delete(db: Queryable, collectionId: string, position: number): Promise<void> {
    await db.query('DELETE FROM vecgate_text_fields WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
    ]);
    for (const list of ['vecgate_text_stats', 'vecgate_text_terms'])
      await db.query(`DELETE FROM ${list} WHERE collection_id = $1 AND position = $2`, [collectionId, position]);
    await db.query('UPDATE vecgate_collections SET catalog_version = catalog_version + 1 WHERE id = $1', [
      collectionId,
    ]);
  }

  /**
   * Adds the fields' columns and GIN indexes to the record table, analyses what it holds already,
   * and (re)writes its triggers for `all` the fields it has now. In the caller's transaction.
   */
  async addColumns(
    db: Queryable,
    table: string,
    collectionId: string,
    added: TextField[],
    all: TextField[],
  ): Promise<void> {
    const t = qualified(table);
    for (const f of added) {
      await db.query(
        `ALTER TABLE ${t} ADD COLUMN ${textColumn(f.position)} tsvector, ADD COLUMN ${textLengthColumn(f.position)} integer`,
      );
      await db.query(`CREATE INDEX "${table}_${textColumn(f.position)}" ON ${t} USING gin (${textColumn(f.position)})`);
    }
    await this.writeTriggers(db, table, collectionId, all);
    for (const f of added) await this.analyseExisting(db, table, collectionId, f);
  }

  /** Drops a field's columns (its index goes with them) and rewrites the triggers for the fields left. */
  async dropColumns(db: Queryable, table: string, collectionId: string, removed: TextField, left: TextField[]) {
    const t = qualified(table);
    await this.writeTriggers(db, table, collectionId, left);
    if (left.some(hasPostings))
      for (const t of [postingsTable(table), frequenciesTable(table)])
        await db.query(`DELETE FROM ${t} WHERE position = $1`, [removed.position]);
    await db.query(
      `ALTER TABLE ${t} DROP COLUMN ${textColumn(removed.position)}, DROP COLUMN ${textLengthColumn(removed.position)}`,
    );
  }

  /**
   * The values the table already holds, analysed and counted (a Qdrant index declared on a
   * collection with points). The row trigger fires on changed metadata only, so this sets the
   * columns itself, and then counts the statistics afresh; the statement trigger lists the words
   * of the rows it sets (vecgate_text_terms).
   */
  private async analyseExisting(db: Queryable, table: string, collectionId: string, f: TextField): Promise<void> {
    const [c, l] = [textColumn(f.position), textLengthColumn(f.position)];
    // One pass: each row written once, its words and their count together.
    await db.query(
      `UPDATE ${qualified(table)} SET (${c}, ${l}) = (
         SELECT a.v, vecgate_text_length(a.v)
         FROM (SELECT vecgate_text_vector($1::regconfig, $2::jsonb, metadata #> $3::text[]) AS v) a)
       WHERE metadata #> $3::text[] IS NOT NULL`,
      [textConfig(f.analyzer), JSON.stringify(f.analyzer), f.path],
    );
    await db.query('DELETE FROM vecgate_text_stats WHERE collection_id = $1 AND position = $2', [
      collectionId,
      f.position,
    ]);
    await db.query(
      `INSERT INTO vecgate_text_stats (collection_id, position, namespace, slot, docs, tokens)
       SELECT $1, $2, namespace, 0, count(${c}), coalesce(sum(${l}), 0) FROM ${qualified(table)}
       WHERE ${c} IS NOT NULL GROUP BY namespace`,
      [collectionId, f.position],
    );
  }

  /**
   * The postings table and its triggers when any field has postings (migrations/027); the table
   * dropped when none has. A field added to a table with records gets its postings from the
   * update trigger, when analyseExisting sets its words.
   */
  private async writePostingsTriggers(db: Queryable, table: string, id: string, fields: TextField[]): Promise<void> {
    const t = qualified(table);
    const tp = postingsTableName(table);
    if (!fields.some(hasPostings)) {
      await db.query(`DROP TABLE IF EXISTS ${postingsTable(table)}, ${frequenciesTable(table)}`);
      return;
    }
    await db.query('SELECT vecgate_text_postings_create($1, true)', [table]);
    const sync = `vecgate_text_postings_sync('${id}', '${tp}')`;
    await db.query(`CREATE TRIGGER text_postings_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${sync}`);
    await db.query(`CREATE TRIGGER text_postings_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${sync}`);
    await db.query(`CREATE TRIGGER text_postings_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${sync}`);
  }

  /**
   * The record table's triggers for its text fields, or none when it has none. The row trigger
   * reads each field's key and analyser from the catalog; the statement triggers add each
   * statement's net change of records and tokens per field and namespace to the statistics, in one
   * slot per transaction (so one transaction never waits on two slots of a row, nor deadlocks).
   */
  private async writeTriggers(db: Queryable, table: string, collectionId: string, fields: TextField[]): Promise<void> {
    const t = qualified(table);
    const id = checkedUuid(collectionId);
    const analyse = `vecgate_records."${table}${ANALYSE_SUFFIX}"`;
    const stats = `vecgate_records."${table}${STATS_SUFFIX}"`;
    for (const name of [
      'text_analyse',
      'text_stats_insert',
      'text_stats_update',
      'text_stats_delete',
      'text_terms_insert',
      'text_terms_update',
      'text_postings_insert',
      'text_postings_update',
      'text_postings_delete',
    ])
      await db.query(`DROP TRIGGER IF EXISTS ${name} ON ${t}`);
    await db.query(`DROP FUNCTION IF EXISTS ${analyse}()`);
    await db.query(`DROP FUNCTION IF EXISTS ${stats}()`);
    await this.writePostingsTriggers(db, table, id, fields);
    if (fields.length === 0) return;
    const cases = fields
      .map((f) => {
        const [c, l] = [textColumn(f.position), textLengthColumn(f.position)];
        return `WHEN ${f.position} THEN
            NEW.${c} := vecgate_text_vector(f.config, f.analyzer, NEW.metadata #> f.path);
            NEW.${l} := vecgate_text_length(NEW.${c});`;
      })
      .join('\n          ');
    await db.query(`CREATE FUNCTION ${analyse}() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE f record;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.metadata IS NOT DISTINCT FROM OLD.metadata THEN RETURN NEW; END IF;
        FOR f IN SELECT position, path, config, analyzer FROM vecgate_text_fields WHERE collection_id = '${id}' LOOP
          CASE f.position
          ${cases}
          ELSE NULL;
          END CASE;
        END LOOP;
        RETURN NEW;
      END $fn$`);
    await db.query(
      `CREATE TRIGGER text_analyse BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${analyse}()`,
    );
    const counted = (rows: string, sign: string) =>
      fields
        .map(
          (f) =>
            `SELECT ${f.position} AS position, namespace, ${sign}count(${textColumn(f.position)}) AS docs,
               ${sign}coalesce(sum(${textLengthColumn(f.position)}), 0) AS tokens FROM ${rows} GROUP BY namespace`,
        )
        .join(' UNION ALL ');
    const upsert = (
      changes: string,
    ) => `INSERT INTO vecgate_text_stats (collection_id, position, namespace, slot, docs, tokens)
          SELECT '${id}'::uuid, d.position, d.namespace, (pg_current_xact_id()::text::bigint % 16)::smallint, sum(d.docs), sum(d.tokens)
          FROM (${changes}) d GROUP BY d.position, d.namespace HAVING sum(d.docs) <> 0 OR sum(d.tokens) <> 0
          ORDER BY d.position, d.namespace
          ON CONFLICT (collection_id, position, namespace, slot) DO UPDATE
            SET docs = vecgate_text_stats.docs + excluded.docs, tokens = vecgate_text_stats.tokens + excluded.tokens`;
    await db.query(`CREATE FUNCTION ${stats}() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${upsert(counted('new_rows', ''))};
        ELSIF TG_OP = 'UPDATE' THEN
          ${upsert(`${counted('new_rows', '')} UNION ALL ${counted('old_rows', '-')}`)};
        ELSE
          ${upsert(counted('old_rows', '-'))};
        END IF;
        RETURN NULL;
      END $fn$`);
    await db.query(`CREATE TRIGGER text_stats_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${stats}()`);
    await db.query(`CREATE TRIGGER text_stats_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${stats}()`);
    await db.query(`CREATE TRIGGER text_stats_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${stats}()`);
    // The words each field holds per namespace (migrations/026), which fuzzy terms expand against.
    await db.query(`CREATE TRIGGER text_terms_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_terms_add('${id}')`);
    await db.query(`CREATE TRIGGER text_terms_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_terms_add('${id}')`);
  }
}
