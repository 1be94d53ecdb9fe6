import { type ChartConfiguration } from 'chart.js';
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../api';
import { ChartCanvas, PALETTE } from '../chart';
import { ErrorBox } from '../components/common';
import { ScopeBox } from '../components/ScopeBox';
import { SubmitForm } from '../components/SubmitForm';
import { groupByColor, project } from '../projection';
import { useRequest } from '../useRequest';
import type { TabProps } from './Collection';

interface Point {
  x: number;
  y: number;
  id: string;
  document: string | null;
}

const LIMITS = [500, 1000, 2000];

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function ProjectionTab({ summary, scope, onScope }: TabProps) {
  const [colorKey, setColorKey] = useState('');
  const [limit, setLimit] = useState(2000);
  const [config, setConfig] = useState<ChartConfiguration<'scatter', Point[]> | null>(null);
  const [drawn, setDrawn] = useState<number | null>(null);
  const [explained, setExplained] = useState<number[] | null>(null);
  const { busy, error, run } = useRequest(errorMessage);

  const draw = useCallback(
    (key: string, limitNow: number, namespace: string | undefined) =>
      run(
        async () => {
          const answer = await api.projection(summary.id, {
            limit: limitNow,
            color: key.trim() || undefined,
            namespace,
          });
          const points = answer.points.filter((p) => Array.isArray(p.vector) && p.vector.length > 0);
          const width = answer.dimension ?? points[0]?.vector.length ?? 0;
          const usable = points.filter((p) => p.vector.length === width);
          // Let the "drawing…" state paint before the PCA takes the thread.
          await new Promise((resolve) => window.setTimeout(resolve, 0));
          const { xy, explained: variance } = project(usable.map((p) => p.vector));
          const groups = groupByColor(usable.map((p) => p.color));
          const datasets = groups.map((group, g) => ({
            label: `${clip(group.label, 40)} (${group.indexes.length})`,
            data: group.indexes.map((i) => ({
              x: xy[i][0],
              y: xy[i][1],
              id: usable[i].id,
              document: usable[i].document,
            })),
            backgroundColor: PALETTE[g % PALETTE.length],
            pointRadius: 3,
            pointHoverRadius: 5,
          }));
          setConfig({
            type: 'scatter',
            data: { datasets },
            options: {
              maintainAspectRatio: false,
              plugins: {
                legend: { display: key.trim() !== '', position: 'right' },
                tooltip: {
                  callbacks: {
                    title: (items) => (items[0] ? clip((items[0].raw as Point).id, 80) : ''),
                    label: (item) => {
                      const point = item.raw as Point;
                      return point.document ? clip(point.document.replace(/\s+/g, ' '), 100) : '(no document)';
                    },
                  },
                },
              },
              scales: {
                x: { title: { display: true, text: 'PC1' } },
                y: { title: { display: true, text: 'PC2' } },
              },
            },
          });
          setDrawn(usable.length);
          setExplained(variance);
        },
        () => {
          setConfig(null);
          setDrawn(null);
        },
      ),
    [summary.id, run],
  );

  const namespace = summary.protocol === 'pinecone' ? scope.namespace : undefined;
  useEffect(() => {
    void draw('', 2000, namespace);
    // The first drawing only; later ones follow the Draw button.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draw]);

  return (
    <div className="panel" data-testid="panel-projection" data-ready={busy || drawn === null ? 'false' : 'true'}>
      <SubmitForm className="row" onSubmit={() => void draw(colorKey, limit, namespace)}>
        <div className="field">
          <label htmlFor="projection-color-key">Color by metadata key</label>
          <input
            id="projection-color-key"
            data-testid="projection-color-key"
            value={colorKey}
            placeholder="genre"
            autoComplete="off"
            onChange={(e) => setColorKey(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor="projection-limit">Points</label>
          <select
            id="projection-limit"
            data-testid="projection-limit"
            value={limit}
            onChange={(e) => setLimit(Number(e.target.value))}
          >
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <ScopeBox summary={summary} scope={scope} onChange={onScope} namespaceOnly />
        <div className="field">
          <button type="submit" className="primary" data-testid="projection-draw" disabled={busy}>
            {busy ? 'Drawing…' : 'Draw'}
          </button>
        </div>
      </SubmitForm>
      <ErrorBox message={error} testId="projection-error" />
      <p className="muted">
        <span data-testid="projection-count">{drawn ?? ''}</span> points, projected to two dimensions by PCA
        {explained && explained.length === 2
          ? ` (PC1 ${(explained[0] * 100).toFixed(1)}%, PC2 ${(explained[1] * 100).toFixed(1)}% of variance)`
          : ''}
        .
      </p>
      {config && <ChartCanvas config={config} testId="projection-canvas" label="2-D projection" height={480} />}
    </div>
  );
}
