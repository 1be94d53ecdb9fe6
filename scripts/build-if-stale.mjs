#!/usr/bin/env node
// Runs `tsc -p tsconfig.build.json` unless dist/ is newer than every source file and tsconfig, and
// the console build (vite) unless dist/console/index.html is newer than every file in console/:
// `npm start`, `npm run keys` and the tests that start built processes need a current build, not a
// second one (a full build takes about 5 s).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir, keep = (name) => name.endsWith('.ts')) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path, keep));
    else if (keep(entry.name)) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

function run(args, stamp, what) {
  // The first start compiles for about 15 s: say so, rather than nothing until the gateway's first line.
  process.stderr.write(`vecgate: ${what}...\n`);
  const { status } = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (status !== 0 || !existsSync(stamp)) process.exit(status || 1);
  // An unchanged output keeps its old time: mark the build as current.
  const now = new Date();
  utimesSync(stamp, now, now);
}

const packageJson = statSync(join(root, 'package.json')).mtimeMs;

const server = join(root, 'dist', 'src', 'main.js');
const sources = Math.max(
  newest(join(root, 'src')),
  newest(join(root, 'bench')),
  packageJson,
  ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs),
);
if (!existsSync(server) || statSync(server).mtimeMs < sources) {
  run(
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
    server,
    'compiling the TypeScript sources into dist/ (the first start takes 10 to 20 s)',
  );
}

const consoleDir = join(root, 'console');
const page = join(root, 'dist', 'console', 'index.html');
if (existsSync(consoleDir)) {
  const consoleSources = Math.max(
    newest(consoleDir, () => true),
    packageJson,
  );
  if (!existsSync(page) || statSync(page).mtimeMs < consoleSources) {
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    run(
      [vite, 'build', '--config', join(consoleDir, 'vite.config.ts'), '--logLevel', 'warn'],
      page,
      'building the web console',
    );
  }
}
