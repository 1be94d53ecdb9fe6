/**
 * The benchmark harness's one entry point:
 *
 *   node dist/bench/run.js <workload> [options]     (node dist/bench/run.js <workload> --help)
 *
 * Each workload is a module of bench/workloads/ declaring its flags (parsed in bench/options.ts) and
 * what it runs on the shared servers, data, clients, statistics and report of bench/.
 */
import { parseOptions, type Workload } from './options';
import chroma from './workloads/chroma';
import pinecone from './workloads/pinecone';
import scale from './workloads/scale';
import load from './workloads/load';
import perCall from './workloads/per-call';
import walk from './workloads/walk';
import filteredWalk from './workloads/filtered-walk';
import search from './workloads/search';
import importRate from './workloads/import';
import traffic from './workloads/traffic';
import curve from './workloads/curve';
import qdrant from './workloads/qdrant';
import inference from './workloads/inference';
import jit from './workloads/jit';
import pairwise from './workloads/pairwise';
import ranges from './workloads/ranges';
import growth from './workloads/growth';
import tunerRuns from './workloads/tuner-runs';
import textSearch from './workloads/text-search';
import multivector from './workloads/multivector';

const WORKLOADS = [
  chroma,
  pinecone,
  scale,
  perCall,
  load,
  walk,
  filteredWalk,
  search,
  importRate,
  traffic,
  curve,
  qdrant,
  inference,
  jit,
  pairwise,
  ranges,
  growth,
  tunerRuns,
  textSearch,
  multivector,
] as unknown as Workload[];

function list(): string {
  const width = Math.max(...WORKLOADS.map((w) => w.name.length)) + 2;
  return [
    'usage: node dist/bench/run.js <workload> [options]   (--help after a workload name: its options)',
    '',
    ...WORKLOADS.map((w) => `  ${w.name.padEnd(width)}${w.about}${w.needs === 'postgres' ? ' (DATABASE_URL)' : ''}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const [name, ...argv] = process.argv.slice(2);
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(list());
    process.exit(name === undefined ? 2 : 0);
  }
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) {
    console.error(`bench: no workload ${name}\n${list()}`);
    process.exit(2);
  }
  const ok = await w.run(parseOptions(w, argv));
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
