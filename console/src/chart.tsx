// Chart.js, registered piecemeal to keep the bundle small. Tooltips are drawn on the canvas, so
// ids and documents shown in them stay text.
import {
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  BarController,
  BarElement,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  BarController,
  BarElement,
  Tooltip,
  Legend,
  Filler,
);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#393b79',
  '#637939',
  '#b5b5b5',
];

interface Props<T extends ChartType> {
  config: ChartConfiguration<T>;
  testId: string;
  label: string;
  height?: number;
}

/** One canvas, one chart; a new config replaces the chart. */
export function ChartCanvas<T extends ChartType>({ config, testId, label, height = 260 }: Props<T>) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} data-testid={testId} role="img" aria-label={label} />
    </div>
  );
}

/** Ticks for a linear x axis of epoch milliseconds. */
export function timeTick(value: number | string): string {
  const d = new Date(Number(value));
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The shortest span a time axis shows: a single point would otherwise sit on an axis of hours. */
const MIN_SPAN_MS = 5 * 60_000;

/** A linear x axis of epoch milliseconds over the points' times, at least MIN_SPAN_MS wide, ending at the last. */
export function timeAxis(times: number[]) {
  const last = times.length ? Math.max(...times) : Date.now();
  const first = times.length ? Math.min(...times) : last;
  return {
    type: 'linear' as const,
    min: Math.min(first, last - MIN_SPAN_MS),
    max: last,
    ticks: { callback: timeTick, maxTicksLimit: 8 },
  };
}
