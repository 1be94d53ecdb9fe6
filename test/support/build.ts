import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');

/**
 * dist/ as `npm run build` makes it, for tests that start built processes (the CLI, replicas):
 * scripts/build-if-stale.mjs builds only when a source file is newer than the last build.
 */
export async function ensureBuilt(): Promise<void> {
  const child = spawn(process.execPath, [join(REPO, 'scripts', 'build-if-stale.mjs')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`the build failed (exit ${code}):\n${out}`);
}
