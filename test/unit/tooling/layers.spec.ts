import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The layer rule of .dependency-cruiser.cjs (what `npm run check` enforces), run on small trees
 * of files: a wrong-way import fails it, the right way passes.
 */
const ROOT = resolve(__dirname, '../../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

async function cruise(files: Record<string, string>): Promise<{ failed: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vecgate-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'node16' } }));
    return await new Promise((done) => {
      execFile(
        process.execPath,
        [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'],
        { cwd: dir },
        (err, stdout, stderr) => done({ failed: err !== null, output: stdout + stderr }),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROTOCOL_ERROR = `export class ChromaHttpError extends Error {}\n`;

/** Each case's tree of files; all are cruised at once (a run of depcruise takes a second or two). */
const TREES: Record<string, Record<string, string>> = {
  coreToProtocol: {
    'src/protocols/chroma/chroma-error.ts': PROTOCOL_ERROR,
    'src/core/records/records.service.ts': `import { ChromaHttpError } from '../../protocols/chroma/chroma-error';\nexport const e = new ChromaHttpError();\n`,
  },
  coreToInfrastructure: {
    'src/operations/metrics.ts': `export const counter = 1;\n`,
    'src/config/app-config.ts': `export const APP_CONFIG = 'x';\n`,
    'src/core/records/records.service.ts': `import { counter } from '../../operations/metrics';\nimport { APP_CONFIG } from '../../config/app-config';\nexport const n = [counter, APP_CONFIG];\n`,
  },
  sideways: {
    'src/protocols/chroma/chroma-error.ts': PROTOCOL_ERROR,
    'src/protocols/pinecone/mapper.ts': `import { ChromaHttpError } from '../chroma/chroma-error';\nexport const e = ChromaHttpError;\n`,
    'src/operations/protocol.ts': `import { ChromaHttpError } from '../protocols/chroma/chroma-error';\nexport const e = ChromaHttpError;\n`,
  },
  controllerToCore: {
    'src/core/records/records.service.ts': `export class RecordsService {}\n`,
    'src/protocols/chroma/controllers/records.controller.ts': `import { RecordsService } from '../../../core/records/records.service';\nexport const s = RecordsService;\n`,
  },
  repositoryToService: {
    'src/core/tenants/tenants.service.ts': `export class TenantsService {}\n`,
    'src/core/tenants/tenants.repository.ts': `import { TenantsService } from './tenants.service';\nexport const s = TenantsService;\n`,
  },
  consoleWrongWay: {
    'src/console/console.service.ts': `export class ConsoleService {}\n`,
    'src/core/records/records.service.ts': `import { ConsoleService } from '../../console/console.service';\nexport const s = ConsoleService;\n`,
    'src/protocols/chroma/mapper.ts': `import { ConsoleService } from '../../console/console.service';\nexport const c = ConsoleService;\n`,
    'src/console/controllers/console.controller.ts': `import { s } from '../../core/records/records.service';\nexport const c = s;\n`,
  },
  consoleRightWay: {
    'src/protocols/chroma/chroma-filter.parser.ts': `export const parseWhere = 1;\n`,
    'src/core/inspect/explain.service.ts': `export class ExplainService {}\n`,
    'src/console/console.service.ts': `import { parseWhere } from '../protocols/chroma/chroma-filter.parser';\nimport { ExplainService } from '../core/inspect/explain.service';\nexport const s = [parseWhere, ExplainService];\n`,
    'src/console/controllers/console.controller.ts': `import { s } from '../console.service';\nexport const c = s;\n`,
  },
  inferenceWrongWay: {
    'src/inference/inference.service.ts': `import { d } from '../core/records/records.repository';\nexport class InferenceService {}\nexport const x = d;\n`,
    'src/core/records/records.repository.ts': `export const d = 1;\n`,
    'src/core/records/records.service.ts': `import { InferenceService } from '../../inference/inference.service';\nexport const s = InferenceService;\n`,
  },
  inferenceRightWay: {
    'src/core/errors.ts': `export class UnavailableError extends Error {}\n`,
    'src/inference/inference.service.ts': `import { UnavailableError } from '../core/errors';\nexport const i = UnavailableError;\n`,
    'src/protocols/pinecone/pinecone-records.service.ts': `import { i } from '../../inference/inference.service';\nexport const p = i;\n`,
  },
  rightWayDown: {
    'src/database/database.ts': `export class Database {}\n`,
    'src/core/records/records.repository.ts': `import { Database } from '../../database/database';\nexport const d = Database;\n`,
    'src/core/records/records.service.ts': `import { d } from './records.repository';\nexport const s = d;\n`,
    'src/protocols/chroma/records.controller.ts': `import { s } from '../../core/records/records.service';\nexport const c = s;\n`,
    'src/operations/metrics.ts': `import { Database } from '../database/database';\nexport const m = Database;\n`,
  },
};

describe('the layer rule', () => {
  const results: Record<string, { failed: boolean; output: string }> = {};

  beforeAll(async () => {
    await Promise.all(Object.entries(TREES).map(async ([name, files]) => (results[name] = await cruise(files))));
  });

  it('rejects a core file that imports a protocol', () => {
    const result = results.coreToProtocol;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('core-is-protocol-free');
  });

  it('rejects a core file that imports operations or config', () => {
    const result = results.coreToInfrastructure;
    expect(result.failed).toBe(true);
    expect(result.output.match(/core-is-protocol-free/g)).toHaveLength(2);
  });

  it('rejects operations importing a protocol, and one protocol importing another', () => {
    const result = results.sideways;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('infrastructure-is-protocol-free');
    expect(result.output).toContain('protocols-stay-apart');
  });

  it('rejects a controller that calls the core instead of its protocol service', () => {
    const result = results.controllerToCore;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('controllers-through-a-protocol-service');
  });

  it('rejects a repository that calls a service', () => {
    const result = results.repositoryToService;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('repositories-below-services');
  });

  it('keeps the console above the protocols and its controllers behind its service', () => {
    const result = results.consoleWrongWay;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('core-is-protocol-free');
    expect(result.output).toContain('protocols-do-not-use-the-console');
    expect(result.output).toContain('console-controllers-through-its-service');
    expect(results.consoleRightWay).toEqual({
      failed: false,
      output: expect.stringContaining('no dependency violations'),
    });
  });

  it("keeps src/inference apart: it takes the core's errors only, and the core never calls it", () => {
    const result = results.inferenceWrongWay;
    expect(result.failed).toBe(true);
    expect(result.output).toContain('inference-stands-alone');
    expect(result.output).toContain('core-is-protocol-free');
    expect(results.inferenceRightWay).toEqual({
      failed: false,
      output: expect.stringContaining('no dependency violations'),
    });
  });

  it('accepts the right way down: protocol → core → repository → database', () => {
    const result = results.rightWayDown;
    expect(result).toEqual({ failed: false, output: expect.stringContaining('no dependency violations') });
  });
});
