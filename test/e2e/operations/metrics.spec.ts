import { http } from '../../support/gateway';
import { sample, startOperatedGateway, type OperatedGateway } from './support/operated-gateway';
import { until } from '../../support/wait';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

describe('operations: /metrics', () => {
  let gw: OperatedGateway;
  let text: string;
  let contentType: string | null;
  let chromaId: string;

  beforeAll(async () => {
    gw = await startOperatedGateway();
    const call = async (method: string, path: string, body: unknown, status: number) => {
      const res = await http(gw.url, method, path, body);
      if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
      return res.body;
    };
    // Chroma: create, add 2, delete 1.
    chromaId = (await call('POST', `${CHROMA}/collections`, { name: 'ops_metrics' }, 200)).id;
    await call(
      'POST',
      `${CHROMA}/collections/${chromaId}/add`,
      {
        ids: ['a', 'b'],
        embeddings: [
          [1, 0, 0],
          [0, 1, 0],
        ],
      },
      201,
    );
    await call('POST', `${CHROMA}/collections/${chromaId}/delete`, { ids: ['a'] }, 200);
    // Pinecone: create, upsert 3, delete 1.
    await call(
      'POST',
      '/indexes',
      {
        name: 'ops-metrics',
        dimension: 3,
        metric: 'cosine',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      },
      201,
    );
    const vectors = ['p1', 'p2', 'p3'].map((id, i) => ({ id, values: [i + 1, 1, 0] }));
    await call('POST', '/indexes/ops-metrics/vectors/upsert', { vectors }, 200);
    await call('POST', '/indexes/ops-metrics/vectors/delete', { ids: ['p1'] }, 200);
    // Vectorizer: create, insert 2, delete 1.
    await call('POST', '/collections', { name: 'ops_vectorizer', dimension: 3, metric: 'cosine' }, 200);
    await call(
      'POST',
      '/insert_vectors',
      {
        collection: 'ops_vectorizer',
        vectors: [
          { id: 'v1', embedding: [1, 0, 0] },
          { id: 'v2', embedding: [0, 0, 1] },
        ],
      },
      200,
    );
    await call('DELETE', '/collections/ops_vectorizer/vectors/v1', undefined, 200);
    // An unknown route and a body the parser refuses.
    await call('GET', '/api/v2/nope', undefined, 404);
    await call('POST', `${CHROMA}/collections/${chromaId}/add`, '{bad', 400);
    await call('GET', '/healthz', undefined, 200);
    // A request is counted when its response closes, a moment after the client has the answer.
    const res = await until(
      'the /healthz request counted',
      () => http(gw.url, 'GET', '/metrics'),
      (r) => (sample(r.text, 'vecgate_http_requests_total', { route: '/healthz' }) ?? 0) >= 1,
    );
    text = res.text;
    contentType = res.headers.get('content-type');
  });
  afterAll(() => gw.close());

  it('answers in the Prometheus text format', () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE vecgate_http_requests_total counter');
    expect(text).toContain('# TYPE vecgate_http_request_duration_seconds histogram');
  });

  it('counts requests by protocol, method, route pattern and status', () => {
    const count = (protocol: string, method: string, route: string, status: string) =>
      sample(text, 'vecgate_http_requests_total', { protocol, method, route, status });
    expect(count('chroma', 'POST', '/api/v2/tenants/:tenant/databases/:database/collections', '200')).toBe(1);
    expect(count('chroma', 'POST', '/api/v2/tenants/:tenant/databases/:database/collections/:id/add', '201')).toBe(1);
    expect(count('chroma', 'POST', '/api/v2/tenants/:tenant/databases/:database/collections/:id/delete', '200')).toBe(
      1,
    );
    expect(count('pinecone', 'POST', '/indexes', '201')).toBe(1);
    expect(count('pinecone', 'POST', '/indexes/:index/vectors/upsert', '200')).toBe(1);
    expect(count('pinecone', 'POST', '/indexes/:index/vectors/delete', '200')).toBe(1);
    expect(count('vectorizer', 'POST', '/collections', '200')).toBe(1);
    expect(count('vectorizer', 'POST', '/insert_vectors', '200')).toBe(1);
    expect(count('vectorizer', 'DELETE', '/collections/:collection/vectors/:id', '200')).toBe(1);
    expect(count('other', 'GET', '/healthz', '200')).toBe(1);
  });

  it('labels unknown routes as (unmatched) and a refused body by the route it was sent to, under their protocol', () => {
    expect(
      sample(text, 'vecgate_http_requests_total', {
        protocol: 'chroma',
        method: 'GET',
        route: '(unmatched)',
        status: '404',
      }),
    ).toBe(1);
    const add = '/api/v2/tenants/:tenant/databases/:database/collections/:id/add';
    expect(
      sample(text, 'vecgate_http_requests_total', { protocol: 'chroma', method: 'POST', route: add, status: '400' }),
    ).toBe(1);
  });

  it('never puts a raw path in a label', () => {
    expect(text).not.toContain(chromaId);
    expect(text).not.toContain('ops-metrics');
    expect(text).not.toContain('ops_vectorizer');
  });

  it('observes latencies per route', () => {
    const labels = { protocol: 'pinecone', method: 'POST', route: '/indexes/:index/vectors/upsert' };
    expect(sample(text, 'vecgate_http_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'vecgate_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(sample(text, 'vecgate_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('counts the records written and deleted, by protocol', () => {
    expect(sample(text, 'vecgate_records_written_total', { protocol: 'chroma', operation: 'add' })).toBe(2);
    expect(sample(text, 'vecgate_records_written_total', { protocol: 'pinecone', operation: 'replace' })).toBe(3);
    expect(sample(text, 'vecgate_records_written_total', { protocol: 'vectorizer', operation: 'replace' })).toBe(2);
    expect(sample(text, 'vecgate_records_deleted_total', { protocol: 'chroma' })).toBe(1);
    expect(sample(text, 'vecgate_records_deleted_total', { protocol: 'pinecone' })).toBe(1);
    expect(sample(text, 'vecgate_records_deleted_total', { protocol: 'vectorizer' })).toBe(1);
  });

  it('shows the connection pool and the requests in flight', () => {
    const connections = sample(text, 'vecgate_db_pool_connections');
    expect(connections).toBeGreaterThanOrEqual(1);
    // The background index sweep may hold a connection at the moment of the scrape.
    expect(sample(text, 'vecgate_db_pool_idle_connections')).toBeGreaterThanOrEqual(connections! - 1);
    expect(sample(text, 'vecgate_db_pool_waiting_clients')).toBe(0);
    expect(sample(text, 'vecgate_http_requests_in_flight')).toBe(1); // the scrape itself
  });

  it('includes the process metrics', () => {
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });
});
