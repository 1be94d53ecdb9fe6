import { type ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import { api, type CollectionSummary, type LatencyPoint, type QualityAnswer } from '../api';
import { ChartCanvas, PALETTE, timeAxis, timeTick } from '../chart';
import { ErrorBox } from '../components/common';
import { count, dateTime, humanBytes, ms } from '../format';
import { useLoad } from '../useLoad';

/** Where the tuner's queries came from, in words. */
function sourceWords(source: string | undefined): string {
  if (source === undefined) return '—';
  if (source === 'synthesized') return 'test queries made near stored records';
  if (source === 'traffic') return "the collection's own searches";
  return source;
}

function recall(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(3);
}

function latencyChart(latency: LatencyPoint[]): ChartConfiguration<'line', { x: number; y: number }[]> {
  const series = (['p50', 'p95', 'p99'] as const).map((q, i) => ({
    label: q,
    data: latency.map((p) => ({ x: Date.parse(p.at), y: p[q] })),
    borderColor: PALETTE[i],
    backgroundColor: PALETTE[i],
    pointRadius: 2,
    tension: 0,
  }));
  return {
    type: 'line',
    data: { datasets: series },
    options: {
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: timeAxis(latency.map((p) => Date.parse(p.at))),
        y: { beginAtZero: true, title: { display: true, text: 'ms' } },
      },
      plugins: {
        tooltip: { callbacks: { title: (items) => (items[0] ? timeTick(items[0].parsed.x ?? 0) : '') } },
      },
    },
  };
}

/** Each build of an index in a phrase: its settings, then how long it took and its size, or why it was not made. */
function buildsText(builds: QualityAnswer['vectors'][number]['builds']): string {
  return builds
    .map((b) => {
      const settings = `m ${b.m} / ef_construction ${b.efConstruction}`;
      if (b.outcome !== 'built') return `${settings}: ${b.outcome}`;
      const took = b.ms === null ? '' : ` in ${(b.ms / 1000).toFixed(1)} s`;
      return `${settings}${took}${b.bytes === null ? '' : `, ${humanBytes(b.bytes)}`}`;
    })
    .join('; then ');
}

export function QualityTab({ summary }: { summary: CollectionSummary }) {
  const quality = useLoad(() => api.quality(summary.id), [summary.id]);
  const chart = useMemo(() => (quality.data ? latencyChart(quality.data.latency) : null), [quality.data]);
  const q = quality.data;
  const ready = !quality.loading && (q !== null || quality.error !== null);
  return (
    <div className="panel" data-testid="panel-quality" data-ready={ready ? 'true' : 'false'}>
      <ErrorBox message={quality.error} />
      {q && (
        <>
          <p>
            Recall target <strong data-testid="quality-target">{recall(q.recallTarget)}</strong>
          </p>
          <table className="grid" data-testid="quality-vectors">
            <thead>
              <tr>
                <th>vector</th>
                <th>index</th>
                <th className="num">recall</th>
                <th>ef_search</th>
                <th className="num">ms / search</th>
                <th>measured with</th>
                <th className="num">records</th>
                <th>measured</th>
                <th>filtered searches</th>
                <th>sampled searches</th>
              </tr>
            </thead>
            <tbody>
              {q.vectors.map((v) => (
                <tr key={v.name} data-testid="quality-vector" data-vector={v.name}>
                  <td>{v.name || '(default)'}</td>
                  <td data-testid="quality-index" title={buildsText(v.builds)}>
                    m {v.index.m}, ef_construction {v.index.efConstruction}
                    {v.builds.length > 1 ? ` (${v.builds.length} builds)` : ''}
                  </td>
                  <td className="num mono" data-testid="quality-recall">
                    {recall(v.tuning?.recall)}
                  </td>
                  <td data-testid="quality-ef">
                    {v.tuning === null ? 'not tuned' : v.tuning.exact ? 'exact' : String(v.tuning.efSearch ?? '—')}
                  </td>
                  <td className="num mono">{ms(v.tuning?.msPerSearch)}</td>
                  <td data-testid="quality-source" data-source={v.tuning?.source ?? ''}>
                    {sourceWords(v.tuning?.source)}
                  </td>
                  <td className="num">{count(v.tuning?.records)}</td>
                  <td>{dateTime(v.tuning?.measuredAt)}</td>
                  <td>
                    {v.tuning?.filtered?.pending
                      ? `being measured (walks at ef_search ${v.tuning.filtered.efSearch} meanwhile)`
                      : v.tuning?.filtered
                        ? `recall ${recall(v.tuning.filtered.recall)}, ef_search ${
                            v.tuning.filtered.efSearch ?? 'exact'
                          }, walk ${ms(v.tuning.filtered.walkMs)} ms vs exact ${ms(v.tuning.filtered.exactMs)} ms`
                        : '—'}
                  </td>
                  <td data-testid="quality-vector-traffic">
                    {v.traffic.samples + v.traffic.filteredSamples === 0
                      ? '—'
                      : `${count(v.traffic.samples + v.traffic.filteredSamples)}: recall ${recall(
                          v.traffic.recall,
                        )}, filtered ${recall(v.traffic.filteredRecall)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.vectors
            .filter((v) => v.builds.length > 1)
            .map((v) => (
              <p key={v.name} data-testid="quality-builds" data-vector={v.name}>
                {v.name ? `Vector ${v.name}, index builds: ` : 'Index builds: '}
                {buildsText(v.builds)}
              </p>
            ))}
          {q.vectors
            .filter((v) => v.shortfall !== null)
            .map((v) => (
              <p key={v.name} className="warning" data-testid="quality-shortfall" data-vector={v.name}>
                <strong>{v.name ? `Vector ${v.name}: recall target not met.` : 'Recall target not met.'}</strong>{' '}
                {v.shortfall}
              </p>
            ))}
          <h3>Live traffic</h3>
          {q.traffic === null ? (
            <p className="muted" data-testid="quality-traffic">
              No sampled searches yet.
            </p>
          ) : (
            <p data-testid="quality-traffic">
              {count(q.traffic.samples)} sampled searches: recall{' '}
              <strong data-testid="quality-traffic-recall">{recall(q.traffic.recall)}</strong>, filtered recall{' '}
              <strong>{recall(q.traffic.filteredRecall)}</strong>
            </p>
          )}
          <h3>Search latency</h3>
          {q.latency.length === 0 && <p className="muted">No searches in the window yet.</p>}
          {chart && <ChartCanvas config={chart} testId="quality-latency-canvas" label="search latency p50, p95, p99" />}
          {q.latency.length > 0 && (
            <p className="muted small" data-testid="quality-latency-resolution">
              Percentiles of the searches&rsquo; own times (exact, up to 512 sampled per 10 s interval), as this process
              measured them.
            </p>
          )}
        </>
      )}
    </div>
  );
}
