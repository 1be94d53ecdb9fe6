/** The Chroma workload's checks (every answer against the data) and its one table. */
import type { BenchMetadata } from '../../data';
import { markdown, medianP95, ms, pct, times } from '../../report';
import { recall, type Stats } from '../../stats';
import { K, type Operation, type Plan } from './plan';
import { KEYS, TITLES, type TargetKey, type TargetResult } from './targets';

/** The recall of a target on a query operation, or undefined when it has no answers. */
export function recallOf(t: TargetResult | undefined, op: Operation): number | undefined {
  const outcomes = t?.ops[op.key]?.values;
  return outcomes && op.truth
    ? recall(
        outcomes.map((x) => x.ids),
        op.truth,
      )
    : undefined;
}

const expectedOf = (t: TargetResult, op: Operation) => (t.key === 'direct' && op.directExpected) || op.expected;

/** The repetitions whose row count (or count) was not the expected one. */
function wrongCalls(t: TargetResult, op: Operation): number[] {
  const expected = expectedOf(t, op);
  return (t.ops[op.key]?.values ?? [])
    .map((x, i) => (x.rows !== null && x.rows !== expected[i] ? i : -1))
    .filter((i) => i >= 0);
}

export function checks(p: Plan, targets: TargetResult[]): { ok: string[]; wrong: string[] } {
  const ok: string[] = [];
  const wrong: string[] = [];
  for (const t of targets) {
    const title = TITLES[t.key];
    for (const op of p.ops) {
      const outcomes = t.ops[op.key]?.values;
      if (!outcomes) continue;
      const off = wrongCalls(t, op);
      if (off.length > 0) {
        const i = off[0];
        const expected = expectedOf(t, op)[i];
        const what = op.truth ? `exactly min(${K}, matching) = ${expected} results` : `${expected}`;
        wrong.push(
          `${title}: ${op.label}: ${off.length}/${outcomes.length} calls wrong (e.g. ${outcomes[i].rows} rows, expected ${what})`,
        );
      }
      if (op.holds) {
        const outside = outcomes.reduce(
          (s, x, i) => s + x.metadatas.filter((m) => !m || !op.holds!(i, m as BenchMetadata)).length,
          0,
        );
        if (outside > 0) wrong.push(`${title}: ${op.label}: ${outside} returned records do NOT satisfy the filter`);
      }
    }
  }

  // One line per query operation: how many records match, the result-count check, each target's recall.
  for (const op of p.ops.filter((x) => x.truth)) {
    const ran = targets.filter((t) => t.ops[op.key]?.values);
    if (ran.length === 0) continue;
    const m = op.matching!;
    const matching = Math.min(...m) === Math.max(...m) ? `${m[0]}` : `${Math.min(...m)}-${Math.max(...m)}`;
    const exact = ran.every((t) => wrongCalls(t, op).length === 0)
      ? `exactly min(${K}, matching) results in every call`
      : 'result counts WRONG (below)';
    const recalls = ran.map((t) => `${TITLES[t.key]} ${pct(recallOf(t, op))}`).join(', ');
    ok.push(`${op.label}: ${matching} records match per call; ${exact}; recall@${K} against exact search: ${recalls}`);
  }
  const count = p.ops.find((op) => op.key === 'count')!;
  const counts = targets
    .filter((t) => t.ops.count?.values)
    .map((t) => `${TITLES[t.key]} ${t.ops.count.values![0].rows}`);
  if (counts.length > 0) {
    const direct = targets.some((t) => t.key === 'direct' && t.ops.count?.values)
      ? `; direct SQL ${count.directExpected![0]}, after its own deletes too`
      : '';
    ok.push(`count after the deletes: ${counts.join(', ')} (expected ${count.expected[0]}${direct})`);
  }
  for (const t of targets) for (const warning of t.warnings) wrong.push(`${TITLES[t.key]}: ${warning}`);
  const answered = targets.some((t) => Object.values(t.ops).some((r) => r.values));
  if (answered && wrong.length === 0) {
    ok.unshift(
      `every get, query and count answered the expected number of rows (queries: exactly min(${K}, matching)), every delete that reports a count removed what it should, and every returned record satisfied its filter`,
    );
  }
  return { ok, wrong };
}

/** A table cell: its text, and the number ratios are taken of (absent: no ratio). */
interface Cell {
  text: string;
  value?: number;
}

/** The one table of the run: a column per target, then the ratios of the medians and recall. */
export function resultTable(
  o: { batch: number; records: number; reps: number },
  p: Plan,
  results: Partial<Record<TargetKey, TargetResult>>,
  vecgate: TargetKey,
): string {
  const all = KEYS.map((k) => results[k]).filter((t): t is TargetResult => !!t);
  const failed = (t: TargetResult): Cell | undefined => (t.error ? { text: 'error' } : undefined);
  const timing = (s: Stats | undefined, t: TargetResult, error?: string): Cell | undefined =>
    s ? { text: medianP95(s), value: s.median } : error ? { text: 'error' } : failed(t);

  const rows: { operation: string; cells: Partial<Record<TargetKey, Cell>>; recall?: string }[] = [];
  const row = (operation: string, cell: (t: TargetResult) => Cell | undefined, recallText?: string) =>
    rows.push({ operation, cells: Object.fromEntries(all.map((t) => [t.key, cell(t)])), recall: recallText });
  row(`add a batch of ${o.batch} (${Math.ceil(o.records / o.batch)} batches)`, (t) =>
    timing(t.ingest?.batch ?? t.addBatch, t),
  );
  row('ingest: total s (records/s)', (t) =>
    t.ingest
      ? {
          text: `${(t.ingest.totalMs / 1000).toFixed(2)} (${Math.round(t.ingest.recordsPerSecond)}/s)`,
          value: t.ingest.totalMs,
        }
      : failed(t),
  );
  // No ratios: the wait is a poll interval or two unless the gateway really builds in the background.
  row('index ready after the last add, s', (t) =>
    t.indexReadyMs !== undefined
      ? { text: (t.indexReadyMs / 1000).toFixed(2) }
      : t.key === 'chroma' || t.key === 'direct'
        ? { text: 'n/a' }
        : failed(t),
  );
  for (const op of p.ops) {
    let recallText: string | undefined;
    if (op.truth) {
      const v = recallOf(results[vecgate], op);
      const c = recallOf(results.chroma, op);
      recallText = `${pct(v)}${c === undefined ? '' : ` (Chroma ${pct(c)})`}`;
    }
    const reps = op.reps !== o.reps ? ` [${op.reps} reps]` : '';
    row(`${op.label}${reps}`, (t) => timing(t.ops[op.key]?.stats, t, t.ops[op.key]?.error), recallText);
  }

  const header = [
    'operation',
    ...KEYS.map((k) => TITLES[k]),
    'vecgate/Chroma',
    'vecgate/direct',
    '(floor+direct)/direct',
    "gateway's own ms",
    'embedded/Postgres',
    `recall@${K}`,
  ];
  const body = rows.map((r) => {
    const value = (k: TargetKey) => r.cells[k]?.value;
    const [pg, direct, floor] = [value('postgres'), value('direct'), value('floor')];
    return [
      r.operation,
      ...KEYS.map((k) => r.cells[k]?.text ?? '-'),
      times(value(vecgate), value('chroma')),
      times(pg, direct),
      // The best vecgate/direct any HTTP server could reach: the call itself, plus the SQL.
      floor !== undefined && direct !== undefined ? times(floor + direct, direct) : '-',
      // What the gateway adds beyond any HTTP call and the SQL itself.
      floor !== undefined && pg !== undefined && direct !== undefined ? ms(pg - floor - direct) : '-',
      times(value('embedded'), value('postgres')),
      r.recall ?? '',
    ];
  });
  return markdown(header, body);
}
