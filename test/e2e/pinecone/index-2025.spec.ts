import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import { createDense, indexName, pineconeClient, SERVERLESS } from '../../support/pinecone';

const { PineconeBadRequestError, PineconeNotFoundError } = Errors;

/**
 * What the 2025-10 and 2026-07 index models add: read capacity (kept, echoed, changed by
 * configure), and the errors of today's API for names and sources that do not exist.
 */
describe('Pinecone indexes, API 2025-10 and later', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(() => {
    pc = pineconeClient(gw);
  });

  it('reports OnDemand read capacity by default, where the v9 client requires it', async () => {
    const name = indexName('rc-default');
    await createDense(pc, name, 3);
    const described = await pc.describeIndex(name);
    expect((described.spec as any).serverless.readCapacity).toMatchObject({
      mode: 'OnDemand',
      status: { state: 'Ready' },
    });
    const raw = await http(gw.url, 'GET', `/indexes/${name}`);
    expect(raw.body.read_capacity).toEqual({
      mode: 'OnDemand',
      status: { state: 'Ready', current_replicas: null, current_shards: null },
    });
    expect(raw.body.spec.serverless.read_capacity).toEqual(raw.body.read_capacity);
  });

  it('creates with Dedicated read capacity and changes it with configure, through the client', async () => {
    const name = indexName('rc-dedicated');
    await pc.createIndex({
      name,
      dimension: 3,
      metric: 'cosine',
      spec: {
        serverless: {
          cloud: 'aws',
          region: 'us-east-1',
          readCapacity: { mode: 'Dedicated', nodeType: 't1', manual: { replicas: 2, shards: 1 } },
        },
      },
    } as Parameters<Pinecone['createIndex']>[0]);
    const raw = await http(gw.url, 'GET', `/indexes/${name}`);
    expect(raw.body.read_capacity).toEqual({
      mode: 'Dedicated',
      dedicated: { node_type: 't1', scaling: 'Manual', manual: { replicas: 2, shards: 1 } },
      status: { state: 'Ready', current_replicas: 2, current_shards: 1 },
    });

    // A change names only what changes; the rest stays.
    const patched = await http(gw.url, 'PATCH', `/indexes/${name}`, {
      read_capacity: { mode: 'Dedicated', dedicated: { manual: { replicas: 3 } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.read_capacity.dedicated).toEqual({
      node_type: 't1',
      scaling: 'Manual',
      manual: { replicas: 3, shards: 1 },
    });
    await pc.configureIndex({ name, readCapacity: { mode: 'OnDemand' } } as Parameters<Pinecone['configureIndex']>[0]);
    expect(((await pc.describeIndex(name)).spec as any).serverless.readCapacity).toMatchObject({ mode: 'OnDemand' });

    // The 2025-10 shape, under spec.serverless.
    const legacy = await http(gw.url, 'PATCH', `/indexes/${name}`, {
      spec: {
        serverless: {
          read_capacity: {
            mode: 'Dedicated',
            dedicated: { node_type: 'b1', scaling: 'Manual', manual: { replicas: 1, shards: 2 } },
          },
        },
      },
    });
    expect(legacy.body.read_capacity.status).toEqual({ state: 'Ready', current_replicas: 1, current_shards: 2 });
  });

  it('refuses a read capacity it cannot read, and changes nothing', async () => {
    const name = indexName('rc-bad');
    await createDense(pc, name, 3);
    const bad = [
      { mode: 'Turbo' },
      { mode: 'Dedicated' }, // from OnDemand, a Dedicated change must say everything
      { mode: 'Dedicated', dedicated: { node_type: 'x9', scaling: 'Manual', manual: { replicas: 1, shards: 1 } } },
      { mode: 'Dedicated', dedicated: { node_type: 't1', scaling: 'Manual', manual: { replicas: -1, shards: 1 } } },
      { mode: 'Dedicated', dedicated: { node_type: 't1', scaling: 'Manual', manual: { replicas: 1, shards: 0 } } },
      'OnDemand',
    ];
    for (const read_capacity of bad) {
      const res = await http(gw.url, 'PATCH', `/indexes/${name}`, { read_capacity });
      expect({ read_capacity, status: res.status }).toEqual({ read_capacity, status: 400 });
      expect(res.body.error.code).toBe('INVALID_ARGUMENT');
    }
    const created = await http(gw.url, 'POST', '/indexes', {
      name: indexName('rc-bad-create'),
      dimension: 3,
      spec: { serverless: { cloud: 'aws', region: 'us-east-1', read_capacity: { mode: 'Dedicated' } } },
    });
    expect(created.status).toBe(400);
    expect(((await pc.describeIndex(name)).spec as any).serverless.readCapacity).toMatchObject({ mode: 'OnDemand' });
  });

  it('answers a source_collection that does not exist as Pinecone does (400), and creates nothing', async () => {
    // Pinecone's own client tests expect a PineconeBadRequestError saying "Resource <name> not found".
    for (const spec of [
      { serverless: { cloud: 'aws', region: 'us-east-1', source_collection: 'doesnotexist' } },
      { pod: { environment: 'us-east-1-aws', pod_type: 'p1.x1', pods: 1, source_collection: 'doesnotexist' } },
    ]) {
      const name = indexName('from-missing');
      const res = await http(gw.url, 'POST', '/indexes', { name, dimension: 3, metric: 'cosine', spec });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_ARGUMENT', message: 'Resource doesnotexist not found' },
        status: 400,
      });
      await expect(pc.describeIndex(name)).rejects.toBeInstanceOf(PineconeNotFoundError);
    }
  });

  it("refuses bad index names in Pinecone's words", async () => {
    for (const name of ['Upper', '-lead', 'trail-', 'under_score', 'a'.repeat(46), '']) {
      const res = await http(gw.url, 'POST', '/indexes', { name, dimension: 3, spec: SERVERLESS });
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expect(res.body.error.message).toBe(
        name.length === 0 || name.length > 45
          ? 'Index name must be 1 to 45 characters long.'
          : 'Index name must contain only lowercase alphanumeric characters or hyphens, and must not begin or end with a hyphen.',
      );
    }
    await expect(createDense(pc, 'Not-Valid', 3)).rejects.toBeInstanceOf(PineconeBadRequestError);
  });

  it('keeps a namespace that deleteAll emptied, listed with no records', async () => {
    const name = indexName('ns-empty');
    await createDense(pc, name, 2);
    const index = pc.index({ name }).namespace('keep');
    await index.upsert({ records: [{ id: 'a', values: [1, 0] }] });
    await index.deleteAll();
    const listed = await pc.index({ name }).listNamespaces();
    const keep = listed.namespaces!.find((n) => n.name === 'keep');
    expect(keep).toBeDefined();
    expect(Number(keep!.recordCount)).toBe(0);
    expect(Number((await pc.index({ name }).describeNamespace('keep')).recordCount)).toBe(0);
  });
});
