import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import { createDense, createSparse, indexName, pineconeClient } from '../../support/pinecone';

const { PineconeConflictError, PineconeNotFoundError } = Errors;

/** Pinecone's backups and restore jobs (API 2025-04 and later), through the v9 client. */
describe('Pinecone backups and restore', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(() => {
    pc = pineconeClient(gw);
  });

  async function allIds(name: string, namespace: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await pc.index({ name }).namespace(namespace).listPaginated({ paginationToken: token });
      ids.push(...(page.vectors ?? []).map((v) => v.id!));
      token = page.pagination?.next;
    } while (token);
    return ids.sort();
  }

  it('backs up an index and restores it into a new index with every record, namespace and setting', async () => {
    const source = indexName('bk-src');
    await createDense(pc, source, 3, 'dotproduct');
    await pc.configureIndex({ name: source, tags: { team: 'search' } });
    const index = pc.index({ name: source });
    await index.namespace('a').upsert({
      records: [
        { id: 'a1', values: [1, 0, 0], metadata: { genre: 'drama', year: 2001 } },
        { id: 'a2', values: [0, 1, 0], sparseValues: { indices: [3, 9], values: [0.5, 0.25] } },
      ],
    });
    await index.namespace('b').upsert({ records: [{ id: 'b1', values: [0, 0, 1] }] });
    await pc.index({ name: source }).createNamespace({ name: 'empty' });

    const backup = await pc.backups.create(source, { name: 'first', description: 'three records' });
    expect(backup).toMatchObject({
      sourceIndexName: source,
      name: 'first',
      description: 'three records',
      status: 'Ready',
      recordCount: 3,
      namespaceCount: 3,
    });
    expect(backup.schema?.fields._values).toMatchObject({ type: 'dense_vector', dimension: 3, metric: 'dotproduct' });
    expect(backup.sizeBytes).toBeGreaterThan(0);
    expect((await pc.backups.describe(backup.backupId)).recordCount).toBe(3);

    // Writes after the backup are not in it.
    await index.namespace('a').upsert({ records: [{ id: 'a3', values: [1, 1, 0] }] });
    await index.namespace('a').deleteOne({ id: 'a1' });

    const target = indexName('bk-dst');
    const restore = await pc.backups.createIndex(backup.backupId, { name: target, tags: { restored: 'yes' } });
    expect(restore.restoreJobId).toEqual(expect.any(String));
    const job = await pc.restoreJobs.describe(restore.restoreJobId);
    expect(job).toMatchObject({
      backupId: backup.backupId,
      targetIndexName: target,
      targetIndexId: restore.indexId,
      status: 'Completed',
      percentComplete: 100,
    });
    expect(job.completedAt).toBeInstanceOf(Date);

    const restored = await pc.describeIndex(target);
    expect(restored).toMatchObject({ dimension: 3, metric: 'dotproduct', tags: { restored: 'yes' } });
    expect(await allIds(target, 'a')).toEqual(['a1', 'a2']);
    expect(await allIds(target, 'b')).toEqual(['b1']);
    const namespaces = (await pc.index({ name: target }).listNamespaces()).namespaces!.map((n) => n.name).sort();
    expect(namespaces).toEqual(['a', 'b', 'empty']);
    const fetched = await pc
      .index({ name: target })
      .namespace('a')
      .fetch({ ids: ['a1', 'a2'] });
    expect(fetched.records.a1.metadata).toEqual({ genre: 'drama', year: 2001 });
    expect(fetched.records.a2.sparseValues).toEqual({ indices: [3, 9], values: [0.5, 0.25] });
    const stats = await pc.index({ name: target }).describeIndexStats();
    expect(stats.totalRecordCount).toBe(3);
    const found = await pc
      .index({ name: target })
      .namespace('a')
      .query({ vector: [1, 0, 0], topK: 1 });
    expect(found.matches[0].id).toBe('a1');
    // The source goes on as it was.
    expect(await allIds(source, 'a')).toEqual(['a2', 'a3']);
  });

  it('lists backups per index and per project, and restore jobs, a page at a time', async () => {
    const name = indexName('bk-list');
    await createSparse(pc, name);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await pc.backups.create(name, { name: `b${i}` })).backupId);
    const first = await pc.backups.listByIndex(name, { limit: 2 });
    expect(first.data!.map((b) => b.backupId)).toEqual(made.slice(0, 2));
    expect(first.pagination?.next).toEqual(expect.any(String));
    const second = await pc.backups.listByIndex(name, { limit: 2, paginationToken: first.pagination!.next });
    expect(second.data!.map((b) => b.backupId)).toEqual(made.slice(2));
    expect(second.pagination ?? null).toBeNull();
    expect(second.data![0].schema?.fields).toMatchObject({ _sparse_values: { type: 'sparse_vector' } });

    const project: string[] = [];
    let token: string | undefined;
    do {
      const page = await pc.backups.list({ limit: 100, paginationToken: token });
      project.push(...page.data!.map((b) => b.backupId));
      token = page.pagination?.next;
    } while (token);
    expect(project).toEqual(expect.arrayContaining(made));

    await pc.backups.createIndex(made[0], { name: indexName('bk-list-dst') });
    const jobs = await pc.restoreJobs.list({ limit: 100 });
    expect(jobs.data.some((j) => j.backupId === made[0])).toBe(true);
  });

  it("answers Pinecone's errors and changes nothing", async () => {
    const name = indexName('bk-err');
    await createDense(pc, name, 2);
    const backup = await pc.backups.create(name);
    await expect(pc.backups.create(indexName('bk-missing'))).rejects.toBeInstanceOf(PineconeNotFoundError);
    await expect(pc.backups.describe('00000000-0000-4000-8000-000000000001')).rejects.toBeInstanceOf(
      PineconeNotFoundError,
    );
    const raw = await http(gw.url, 'GET', '/backups/not-a-uuid');
    expect(raw.status).toBe(404);
    expect(raw.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Backup not-a-uuid not found.' }, status: 404 });
    expect((await http(gw.url, 'GET', '/restore-jobs/nope')).body.error.message).toBe('Restore job nope not found.');
    // A taken name: 409, and no second index or job.
    const jobsBefore = (await pc.restoreJobs.list({ limit: 100 })).data.length;
    await expect(pc.backups.createIndex(backup.backupId, { name })).rejects.toBeInstanceOf(PineconeConflictError);
    expect((await pc.restoreJobs.list({ limit: 100 })).data.length).toBe(jobsBefore);
    const badName = await http(gw.url, 'POST', `/indexes/${name}/backups`, { name: 'Not Valid' });
    expect(badName.status).toBe(400);
    const badPage = await http(gw.url, 'GET', '/backups?limit=0');
    expect(badPage.status).toBe(400);
    // Tokens are hostile input too: one that is not ours is a 400, never a bad cast.
    for (const token of ['!!', Buffer.from('2026-01-01T00:00:00.000Z|nope').toString('base64url'), 'eA']) {
      const res = await http(gw.url, 'GET', `/backups?paginationToken=${encodeURIComponent(token)}`);
      expect({ token, status: res.status }).toEqual({ token, status: 400 });
      expect(res.body.error.message).toBe('Invalid pagination token');
    }
    // Deleted: gone, its table too; the index it came from is untouched.
    await pc.backups.delete(backup.backupId);
    await expect(pc.backups.describe(backup.backupId)).rejects.toBeInstanceOf(PineconeNotFoundError);
    await expect(pc.backups.delete(backup.backupId)).rejects.toBeInstanceOf(PineconeNotFoundError);
    const { rows } = await gw.db.query(`SELECT to_regclass($1) IS NULL AS gone`, [
      `vecgate_records.r_${backup.backupId.replace(/-/g, '')}`,
    ]);
    expect(rows[0].gone).toBe(true);
    expect((await pc.describeIndex(name)).name).toBe(name);
  });

  it('takes a consistent backup while upserts go on: counts match, no record half-written', async () => {
    const name = indexName('bk-race');
    await createDense(pc, name, 4);
    const index = pc.index({ name }).namespace('n');
    // Each batch writes 50 records whose metadata names the batch; a backup sees whole batches.
    let stop = false;
    let batch = 0;
    const writer = (async () => {
      while (!stop) {
        const b = batch++;
        await index.upsert({
          records: Array.from({ length: 50 }, (_, i) => ({
            id: `r${b}-${i}`,
            values: [b, i, 1, 1],
            metadata: { batch: b },
          })),
        });
      }
    })();
    const backups = [];
    try {
      while (batch < 3) await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 3; i++) backups.push(await pc.backups.create(name));
    } finally {
      stop = true;
      await writer;
    }
    for (const backup of backups) {
      const target = indexName('bk-race-dst');
      await pc.backups.createIndex(backup.backupId, { name: target });
      const stats = await pc.index({ name: target }).describeIndexStats();
      expect(stats.totalRecordCount).toBe(backup.recordCount);
      expect(backup.recordCount! % 50).toBe(0);
      const ids = await allIds(target, 'n');
      expect(ids.length).toBe(backup.recordCount);
      const perBatch = new Map<string, number>();
      for (const id of ids) perBatch.set(id.split('-')[0], (perBatch.get(id.split('-')[0]) ?? 0) + 1);
      expect([...perBatch.values()].every((n) => n === 50)).toBe(true);
    }
  });

  it('settles a restore racing the delete of its backup: whole, or a 404 that restored nothing', async () => {
    const source = indexName('bk-del-src');
    await createDense(pc, source, 8);
    const records = Array.from({ length: 1_000 }, (_, i) => ({ id: `r${i}`, values: [i, 1, 2, 3, 4, 5, 6, 7] }));
    for (let i = 0; i < records.length; i += 500)
      await pc.index({ name: source }).upsert({ records: records.slice(i, i + 500) });
    const outcomes: number[] = [];
    for (let round = 0; round < 8; round++) {
      const backup = await pc.backups.create(source);
      const target = indexName(`bk-del-${round}`);
      // Sent together: the delete lands while the restore reads the backup or copies its table.
      const [restore, deleted] = await Promise.all([
        http(gw.url, 'POST', `/backups/${backup.backupId}/create-index`, { name: target }),
        http(gw.url, 'DELETE', `/backups/${backup.backupId}`),
      ]);
      expect(deleted.status).toBe(202);
      outcomes.push(restore.status);
      if (restore.status === 202) {
        expect((await pc.index({ name: target }).describeIndexStats()).totalRecordCount).toBe(records.length);
      } else {
        expect(restore.status).toBe(404);
        expect(restore.body).toEqual({
          error: { code: 'NOT_FOUND', message: `Backup ${backup.backupId} not found.` },
          status: 404,
        });
        await expect(pc.describeIndex(target)).rejects.toBeInstanceOf(PineconeNotFoundError);
      }
      await expect(pc.backups.describe(backup.backupId)).rejects.toBeInstanceOf(PineconeNotFoundError);
    }
    expect(outcomes.every((s) => s === 202 || s === 404)).toBe(true);
  });

  it('settles a backup racing the delete of its index: whole, or a 404', async () => {
    for (let round = 0; round < 4; round++) {
      const source = indexName(`bk-gone-${round}`);
      await createDense(pc, source, 4);
      await pc.index({ name: source }).upsert({
        records: Array.from({ length: 500 }, (_, i) => ({ id: `r${i}`, values: [i, 1, 2, 3] })),
      });
      const [backup, deleted] = await Promise.all([
        http(gw.url, 'POST', `/indexes/${source}/backups`, {}),
        http(gw.url, 'DELETE', `/indexes/${source}`),
      ]);
      expect(deleted.status).toBe(202);
      if (backup.status === 201) expect(backup.body.record_count).toBe(500);
      else
        expect(backup.body).toEqual({
          error: { code: 'NOT_FOUND', message: `Index ${source} not found.` },
          status: 404,
        });
    }
  });
});
