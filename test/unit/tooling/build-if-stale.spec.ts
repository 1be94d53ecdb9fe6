import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * scripts/build-if-stale.mjs, which `npm start`, `npm run keys` and `npm run vecgate` run first:
 * on a small project of its own, it builds when dist/ is missing or older than a source, and
 * leaves a current build alone.
 */
const ROOT = resolve(__dirname, '../../..');

/** Runs the script; resolves with what it wrote on stderr. */
function buildIfStale(dir: string): Promise<string> {
  return new Promise((done, fail) =>
    execFile(process.execPath, [join(dir, 'scripts/build-if-stale.mjs')], { cwd: dir }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stdout}${stderr}`)) : done(stderr),
    ),
  );
}

const COMPILING = 'vecgate: compiling the TypeScript sources into dist/ (the first start takes 10 to 20 s)...\n';

describe('build-if-stale', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-build-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'bench'));
    mkdirSync(join(dir, 'node_modules'));
    copyFileSync(join(ROOT, 'scripts/build-if-stale.mjs'), join(dir, 'scripts/build-if-stale.mjs'));
    symlinkSync(join(ROOT, 'node_modules/typescript'), join(dir, 'node_modules/typescript'));
    writeFileSync(join(dir, 'package.json'), '{"name":"tiny","private":true}');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.' } }));
    writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src'] }));
    writeFileSync(join(dir, 'src/main.ts'), 'export const main = 1;\n');
    writeFileSync(join(dir, 'src/other.ts'), 'export const other = 1;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('npm start runs it rather than a full build', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.prestart).toBe('node scripts/build-if-stale.mjs');
  });

  it('builds a missing dist/ (saying so), leaves a current one alone (silently), and builds again after a source changed', async () => {
    expect(await buildIfStale(dir)).toBe(COMPILING);
    const other = join(dir, 'dist/src/other.js');
    expect(existsSync(other)).toBe(true);

    // Current: a file removed from dist/ stays removed, as nothing is built.
    rmSync(other);
    expect(await buildIfStale(dir)).toBe('');
    expect(existsSync(other)).toBe(false);

    // A source newer than the build: built again.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src/other.ts'), later, later);
    expect(await buildIfStale(dir)).toBe(COMPILING);
    expect(existsSync(other)).toBe(true);
  });
});
