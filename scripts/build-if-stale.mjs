#!/usr/bin/env node
// Runs `tsc -p tsconfig.build.json` unless dist/ is newer than every source file and tsconfig:
// `npm start`, `npm run keys` and the tests that start built processes need a current build, not a
// second one (a full build takes about 5 s).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', 'src', 'main.js');

function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path));
    else if (entry.name.endsWith('.ts')) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

const sources = Math.max(
  newest(join(root, 'src')),
  newest(join(root, 'bench')),
  ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs),
);
if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (status !== 0 || !existsSync(stamp)) process.exit(status || 1);
// tsc leaves an unchanged output's time alone: mark the build as current.
const now = new Date();
utimesSync(stamp, now, now);
