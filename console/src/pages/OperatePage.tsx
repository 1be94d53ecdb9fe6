import { type ChartConfiguration } from 'chart.js';
import { useEffect, useMemo } from 'react';
import { api, type MetricsAnswer } from '../api';
import { ChartCanvas, PALETTE, timeAxis, timeTick } from '../chart';
import { ErrorBox } from '../components/common';
import { count, dateTime } from '../format';
import { useLoad } from '../useLoad';

type XY = { x: number; y: number };

function lineChart(
  metrics: MetricsAnswer,
  pick: (s: MetricsAnswer['protocols'][number]['series'][number]) => number,
  unit: string,
): ChartConfiguration<'line', XY[]> {
  return {
    type: 'line',
    data: {
      datasets: metrics.protocols.map((p, i) => ({
        label: p.protocol,
        data: p.series.map((s) => ({ x: Date.parse(s.at), y: pick(s) })),
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        pointRadius: 1,
        tension: 0,
      })),
    },
    options: {
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: timeAxis(metrics.protocols.flatMap((p) => p.series.map((point) => Date.parse(point.at)))),
        y: { beginAtZero: true, title: { display: true, text: unit } },
      },
      plugins: {
        tooltip: { callbacks: { title: (items) => (items[0] ? timeTick(items[0].parsed.x ?? 0) : '') } },
      },
    },
  };
}

const REFRESH_MS = 15_000;

export function OperatePage() {
  const metrics = useLoad(() => api.metrics(), []);
  const jobs = useLoad(() => api.jobs(), []);
  const { reload: reloadMetrics } = metrics;
  const { reload: reloadJobs } = jobs;
  useEffect(() => {
    const timer = window.setInterval(() => {
      reloadMetrics();
      reloadJobs();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reloadMetrics, reloadJobs]);

  const rate = useMemo(
    () => (metrics.data ? lineChart(metrics.data, (s) => s.rate, 'requests / s') : null),
    [metrics.data],
  );
  const latency = useMemo(
    () => (metrics.data ? lineChart(metrics.data, (s) => s.p95, 'p95 ms') : null),
    [metrics.data],
  );
  const done = (l: { loading: boolean; data: unknown; error: string | null }) => l.data !== null || l.error !== null;
  const ready = done(metrics) && done(jobs);

  const rows = jobs.data
    ? [
        ...jobs.data.imports.map((j) => ({ kind: 'import', name: '', ...j })),
        ...jobs.data.backups.map((j) => ({ kind: 'backup', error: null as string | null, ...j })),
      ].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    : [];

  return (
    <div className="page" data-testid="page-operate" data-ready={ready ? 'true' : 'false'}>
      <div className="page-head">
        <h1>Operate</h1>
        <button
          type="button"
          data-testid="operate-refresh"
          onClick={() => {
            reloadMetrics();
            reloadJobs();
          }}
        >
          Refresh
        </button>
      </div>
      <ErrorBox message={metrics.error} testId="metrics-error" />
      {metrics.data && (
        <p className="muted">
          Per {metrics.data.intervalSeconds} s interval, per protocol.
          {metrics.data.protocols.length === 0 ? ' No traffic yet.' : ''}
        </p>
      )}
      <div className="charts">
        <div>
          <h3>Request rate</h3>
          {rate && <ChartCanvas config={rate} testId="metrics-rate-canvas" label="requests per second per protocol" />}
        </div>
        <div>
          <h3>p95 latency</h3>
          {latency && <ChartCanvas config={latency} testId="metrics-latency-canvas" label="p95 latency per protocol" />}
          {metrics.data && (
            <p className="muted small" data-testid="metrics-latency-resolution">
              Resolution: the request histogram&rsquo;s buckets, up to{' '}
              {metrics.data.latencyBucketsMs.map(msBound).join(', ')}. A p95 is interpolated inside its bucket, so it is
              only as exact as the bucket is wide: 40 ms means somewhere from 25 to 50 ms.
            </p>
          )}
        </div>
      </div>
      <h2>Jobs</h2>
      <ErrorBox message={jobs.error} testId="jobs-error" />
      <table className="grid" data-testid="jobs-table">
        <thead>
          <tr>
            <th>kind</th>
            <th>id</th>
            <th>collection</th>
            <th>tenant</th>
            <th>state</th>
            <th>progress</th>
            <th className="num">records</th>
            <th>created</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((j) => (
            <tr key={`${j.kind}:${j.id}`} data-testid="job-row" data-job-kind={j.kind} data-job-id={j.id}>
              <td>{j.kind}</td>
              <td className="mono">
                {j.id}
                {j.name ? <div className="muted small">{j.name}</div> : null}
              </td>
              <td>{j.collection}</td>
              <td>{j.tenant}</td>
              <td>
                <span className={`badge state-${j.state}`}>{j.state}</span>
              </td>
              <td>
                {j.percent !== null ? (
                  <>
                    <progress max={100} value={j.percent} /> <span className="muted">{Math.round(j.percent)}%</span>
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td className="num">{count(j.records)}</td>
              <td>{dateTime(j.createdAt)}</td>
              <td className="error-text">{j.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.data && rows.length === 0 && <p className="muted">No import or backup jobs.</p>}
    </div>
  );
}

/** A bucket bound: ms below a second, seconds from there. */
function msBound(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
