import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from '../../../src/config/load-config';
import { older } from '../../../src/database/pgvector-check';

describe('loadConfig', () => {
  it('defaults to port 8000 on loopback only, embedded in ./data, reset off, statements prepared', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      chromaAllowReset: false,
      preparedStatements: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9001',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/v',
      VECGATE_DATA_DIR: 'memory://',
      CHROMA_ALLOW_RESET: 'true',
      VECGATE_PREPARED_STATEMENTS: 'off',
    });
    expect(config).toMatchObject({
      port: 9001,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/v',
      dataDir: 'memory://',
      chromaAllowReset: true,
      preparedStatements: false,
    });
  });

  it('tunes searches to a recall@10 of 0.95 by default; 0 turns it off', () => {
    expect(loadConfig({}).indexing).toMatchObject({ recallTarget: 0.95, recallSample: 50, recallCheckMs: 30_000 });
    expect(loadConfig({ VECGATE_RECALL_TARGET: '0.99' }).indexing.recallTarget).toBe(0.99);
    expect(loadConfig({ VECGATE_RECALL_TARGET: '.9' }).indexing.recallTarget).toBe(0.9);
    expect(loadConfig({ VECGATE_RECALL_TARGET: '1' }).indexing.recallTarget).toBe(1);
    expect(loadConfig({ VECGATE_RECALL_TARGET: '0' }).indexing.recallTarget).toBe(0);
  });

  it('builds HNSW at m 16 and ef_construction 100 unless told, and rebuilds larger within 30 minutes and 4x the size', () => {
    expect(loadConfig({}).indexing).toMatchObject({
      hnsw: { m: 16, efConstruction: 100 },
      rebuildMaxMinutes: 30,
      rebuildMaxSize: 4,
    });
    const told = loadConfig({
      VECGATE_HNSW_M: '8',
      VECGATE_HNSW_EF_CONSTRUCTION: '64',
      VECGATE_REBUILD_MAX_MINUTES: '0',
      VECGATE_REBUILD_MAX_SIZE: '2',
    }).indexing;
    expect(told).toMatchObject({ hnsw: { m: 8, efConstruction: 64 }, rebuildMaxMinutes: 0, rebuildMaxSize: 2 });
    expect(() => loadConfig({ VECGATE_HNSW_M: '64' })).toThrow(/at least twice VECGATE_HNSW_M \(64\)/);
    expect(() => loadConfig({ VECGATE_HNSW_M: '1' })).toThrow(/VECGATE_HNSW_M must be an integer between 2 and 100/);
    expect(() => loadConfig({ VECGATE_REBUILD_MAX_SIZE: '0' })).toThrow(/VECGATE_REBUILD_MAX_SIZE/);
  });

  it('checks 1 search in 100 against an exact search, at most 6 a minute per collection; 0 turns it off', () => {
    expect(loadConfig({}).indexing).toMatchObject({ trafficShare: 0.01, trafficPerMinute: 6, synthesizedFloor: 100 });
    expect(loadConfig({ VECGATE_RECALL_TRAFFIC_SHARE: '0' }).indexing.trafficShare).toBe(0);
    expect(loadConfig({ VECGATE_RECALL_TRAFFIC_PER_MINUTE: '60' }).indexing.trafficPerMinute).toBe(60);
    expect(loadConfig({ VECGATE_RECALL_FLOOR: '40' }).indexing.synthesizedFloor).toBe(40);
  });

  it('serves 32 requests at once with 1,000 waiting for at most 30 s by default; 0 turns admission off', () => {
    expect(loadConfig({}).admission).toEqual({ maxActive: 32, maxQueued: 1000, queueTimeoutMs: 30_000 });
    expect(
      loadConfig({
        VECGATE_MAX_ACTIVE_REQUESTS: '0',
        VECGATE_MAX_QUEUED_REQUESTS: '5',
        VECGATE_QUEUE_TIMEOUT_MS: '250',
      }).admission,
    ).toEqual({ maxActive: 0, maxQueued: 5, queueTimeoutMs: 250 });
  });

  it('keeps at most 10 backups per collection unless told, and at least one', () => {
    expect(loadConfig({}).maxBackupsPerCollection).toBe(10);
    expect(loadConfig({ VECGATE_MAX_BACKUPS_PER_COLLECTION: '50' }).maxBackupsPerCollection).toBe(50);
    expect(() => loadConfig({ VECGATE_MAX_BACKUPS_PER_COLLECTION: '0' })).toThrow(
      /VECGATE_MAX_BACKUPS_PER_COLLECTION must be an integer between 1 and 10000/,
    );
  });

  it('runs one gateway process unless told; more only on a real PostgreSQL', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/v', VECGATE_WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/v', VECGATE_WORKERS: 'auto' }).workers).toBe(
      availableParallelism(),
    );
    expect(loadConfig({ VECGATE_WORKERS: '1' }).workers).toBe(1);
    expect(() => loadConfig({ VECGATE_WORKERS: '2' })).toThrow(/VECGATE_WORKERS above 1 needs DATABASE_URL/);
  });

  it('reads no file and no URL for bulk imports unless told, and checks what it is told', () => {
    expect(loadConfig({}).imports).toEqual({
      roots: [],
      urls: [],
      batch: 1000,
      run: true,
      maxRowGroupRows: 100_000,
      maxRowGroupBytes: 128 * 1024 * 1024,
    });
    expect(
      loadConfig({
        VECGATE_IMPORT_ROOTS: '/srv/imports, /data/more',
        VECGATE_IMPORT_URLS: 'https://data.example.com/exports/',
        VECGATE_IMPORT_BATCH: '50',
        VECGATE_IMPORT_RUNNER: 'false',
        VECGATE_IMPORT_MAX_ROW_GROUP_ROWS: '20000',
        VECGATE_IMPORT_MAX_ROW_GROUP_MB: '64',
      }).imports,
    ).toEqual({
      roots: ['/srv/imports', '/data/more'],
      urls: ['https://data.example.com/exports/'],
      batch: 50,
      run: false,
      maxRowGroupRows: 20_000,
      maxRowGroupBytes: 64 * 1024 * 1024,
    });
    expect(() => loadConfig({ VECGATE_IMPORT_ROOTS: 'imports' })).toThrow(/must be an absolute path/);
    for (const bad of ['s3://bucket/', 'data.example.com', 'https://u:p@host/', 'https://host/?x=1'])
      expect(() => loadConfig({ VECGATE_IMPORT_URLS: bad })).toThrow(/VECGATE_IMPORT_URLS must be an http\(s\) URL/);
    expect(() => loadConfig({ VECGATE_IMPORT_BATCH: '0' })).toThrow(/VECGATE_IMPORT_BATCH/);
    for (const bad of ['https://host/a%2F..%2Fb/', 'https://host/%zz/', 'https://host/a%252e/'])
      expect(() => loadConfig({ VECGATE_IMPORT_URLS: bad })).toThrow(/VECGATE_IMPORT_URLS must be a plain URL prefix/);
    for (const [name, bad] of [
      ['VECGATE_IMPORT_MAX_ROW_GROUP_ROWS', '0'],
      ['VECGATE_IMPORT_MAX_ROW_GROUP_MB', '1.5'],
      ['VECGATE_IMPORT_MAX_ROW_GROUP_MB', '0'],
    ])
      expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`${name} must be an integer`));
  });

  it('sizes the connection pools per server, 10 unless told', () => {
    expect(loadConfig({}).poolSize).toBe(10);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/v', VECGATE_DB_POOL_SIZE: '4' }).poolSize).toBe(4);
  });

  it('reads several primary hosts and the read replicas, only beside a DATABASE_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db1:5432,db2:5433/v?target_session_attrs=read-write',
      DATABASE_READ_URLS: 'postgres://u@r1/v, postgres://u@r2/v',
      VECGATE_READ_WAIT_MS: '250',
    });
    expect(config).toMatchObject({
      databaseReadUrls: ['postgres://u@r1/v', 'postgres://u@r2/v'],
      readWaitMs: 250,
    });
    expect(loadConfig({}).databaseReadUrls).toEqual([]);
    expect(loadConfig({}).readWaitMs).toBe(1000);
    expect(loadConfig({}).readMaxLagMs).toBe(10_000);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/v', VECGATE_READ_MAX_LAG_MS: '0' }).readMaxLagMs).toBe(0);
    expect(() => loadConfig({ DATABASE_READ_URLS: 'postgres://u@r1/v' })).toThrow(
      /DATABASE_READ_URLS needs DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/v', DATABASE_READ_URLS: 'mysql://r1/v' })).toThrow(
      /each of DATABASE_READ_URLS must start with postgres:\/\//,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db1:5432,db2:port/v' })).toThrow(/DATABASE_URL must be a URL/);
  });

  it.each([
    [{ VECGATE_WORKERS: 'many' }, /VECGATE_WORKERS must be an integer/],
    [{ VECGATE_DB_POOL_SIZE: '0' }, /VECGATE_DB_POOL_SIZE must be an integer between 1 and 1000/],
    [{ VECGATE_MAX_ACTIVE_REQUESTS: 'many' }, /VECGATE_MAX_ACTIVE_REQUESTS must be an integer/],
    [{ VECGATE_QUEUE_TIMEOUT_MS: '0' }, /VECGATE_QUEUE_TIMEOUT_MS must be an integer between 1 and/],
    [{ PORT: 'eighty' }, /PORT must be an integer between 0 and 65535, got "eighty"/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/],
    [{ CHROMA_ALLOW_RESET: 'maybe' }, /CHROMA_ALLOW_RESET must be true or false, got "maybe"/],
    [{ VECGATE_PREPARED_STATEMENTS: 'sometimes' }, /VECGATE_PREPARED_STATEMENTS must be true or false/],
    [{ VECGATE_RECALL_TARGET: '95%' }, /VECGATE_RECALL_TARGET must be a number from 0 to 1, got "95%"/],
    [{ VECGATE_RECALL_TARGET: '1.5' }, /VECGATE_RECALL_TARGET must be a number from 0 to 1/],
    [{ VECGATE_RECALL_TARGET: '-0.1' }, /VECGATE_RECALL_TARGET must be a number from 0 to 1/],
    [{ VECGATE_RECALL_SAMPLE: '2' }, /VECGATE_RECALL_SAMPLE must be an integer between 5 and 1000/],
    [{ VECGATE_RECALL_TRAFFIC_SHARE: '2' }, /VECGATE_RECALL_TRAFFIC_SHARE must be a number from 0 to 1/],
    [{ VECGATE_RECALL_FLOOR: '0' }, /VECGATE_RECALL_FLOOR must be an integer between 1 and 1000/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('pgvector version check', () => {
  it('tells versions older than the recommended 0.8.4 apart', () => {
    expect(older('0.8.0', [0, 8, 4])).toBe(true);
    expect(older('0.8.3', [0, 8, 4])).toBe(true);
    expect(older('0.8.4', [0, 8, 4])).toBe(false);
    expect(older('0.8.7', [0, 8, 4])).toBe(false);
    expect(older('0.10.0', [0, 8, 4])).toBe(false);
    expect(older('0.7.4', [0, 8, 0])).toBe(true);
  });
});
