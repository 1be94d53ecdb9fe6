import { type ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'react';
import { api, type ExplainAnswer } from '../api';
import { ChartCanvas, PALETTE } from '../chart';
import { ErrorBox, PathBadge } from '../components/common';
import { QueryTargetFields } from '../components/QueryTargetFields';
import { type Failure, failure, outsideFilter, ScopeBox, toScope } from '../components/ScopeBox';
import { SubmitForm } from '../components/SubmitForm';
import { count, ms } from '../format';
import { useAnswer } from '../useRequest';
import { EMPTY_TARGET, queryTarget } from '../vectorInput';
import type { TabProps } from './Collection';

type Operation = 'find' | 'search' | 'delete';

export function ExplainTab({ summary, scope, onScope }: TabProps) {
  const [operation, setOperation] = useState<Operation>('find');
  const [analyze, setAnalyze] = useState(false);
  const [queryText, setQueryText] = useState(EMPTY_TARGET);
  const { busy, error, answer, ask, validate } = useAnswer<ExplainAnswer, Failure>(failure);

  const submit = () => {
    const by = operation === 'search' ? validate(() => queryTarget(queryText, summary.dimension)) : {};
    if (!by) return;
    void ask(() => api.explain(summary.id, { ...toScope(scope, summary), operation, analyze, ...by }));
  };

  return (
    <div className="panel" data-testid="panel-explain" data-ready={busy ? 'false' : 'true'}>
      <SubmitForm onSubmit={submit}>
        <div className="row">
          <div className="field">
            <label htmlFor="explain-operation">Operation</label>
            <select
              id="explain-operation"
              data-testid="explain-operation"
              value={operation}
              onChange={(e) => setOperation(e.target.value as Operation)}
            >
              <option value="find">find (list / get)</option>
              <option value="search">search (nearest neighbours)</option>
              <option value="delete">delete</option>
            </select>
          </div>
          <label className="check">
            <input
              type="checkbox"
              data-testid="explain-analyze"
              checked={analyze}
              onChange={(e) => setAnalyze(e.target.checked)}
            />{' '}
            analyze (runs the query)
          </label>
        </div>
        {operation === 'search' && <QueryTargetFields prefix="explain" value={queryText} onChange={setQueryText} />}
        <ScopeBox summary={summary} scope={scope} onChange={onScope} failure={error} />
        <div className="row">
          <button type="submit" className="primary" data-testid="explain-submit" disabled={busy}>
            {busy ? 'Explaining…' : 'Explain'}
          </button>
        </div>
      </SubmitForm>
      <ErrorBox message={outsideFilter(error)} testId="explain-error" />
      {answer && <ExplainResult answer={answer} />}
    </div>
  );
}

function ExplainResult({ answer }: { answer: ExplainAnswer }) {
  const stepsChart = useMemo<ChartConfiguration<'bar'>>(
    () => ({
      type: 'bar',
      data: {
        labels: answer.steps.map((s) => s.name),
        datasets: [{ label: 'ms', data: answer.steps.map((s) => s.ms), backgroundColor: PALETTE[0] }],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, title: { display: true, text: 'ms' } } },
      },
    }),
    [answer],
  );
  return (
    <div className="explain" data-testid="explain-result">
      <PathBadge path={answer.path} testId="explain-path" />
      <p>
        Matching rows: estimated <strong data-testid="explain-estimated">{count(answer.estimatedRows)}</strong>, actual{' '}
        <strong data-testid="explain-actual">{count(answer.actualRows)}</strong> of{' '}
        <span data-testid="explain-total">{count(answer.totalRows)}</span>
        {answer.analyzed ? <span className="badge">analyzed</span> : <span className="badge muted">plan only</span>}
      </p>
      <div className="sql-params">
        <div>
          <h3>SQL</h3>
          <pre className="wrap" data-testid="explain-sql">
            {answer.sql}
          </pre>
        </div>
        <div>
          <h3>Parameters</h3>
          <pre className="wrap" data-testid="explain-params">
            {answer.params.length === 0 ? '(none)' : answer.params.map((p, i) => `$${i + 1} = ${p}`).join('\n')}
          </pre>
        </div>
      </div>
      <h3>Plan</h3>
      <pre data-testid="explain-plan">{answer.plan}</pre>
      <h3>Steps</h3>
      <div className="steps">
        <table className="grid" data-testid="explain-steps">
          <thead>
            <tr>
              <th>step</th>
              <th className="num">ms</th>
            </tr>
          </thead>
          <tbody>
            {answer.steps.map((s, i) => (
              <tr key={`${i}:${s.name}`} data-testid="explain-step">
                <td>{s.name}</td>
                <td className="num mono">{ms(s.ms)}</td>
              </tr>
            ))}
            <tr className="total">
              <td>total</td>
              <td className="num mono" data-testid="explain-total-ms">
                {ms(answer.totalMs)}
              </td>
            </tr>
          </tbody>
        </table>
        {answer.steps.length > 0 && (
          <ChartCanvas
            config={stepsChart}
            testId="explain-steps-canvas"
            label="time per step"
            height={Math.max(90, 28 * answer.steps.length + 50)}
          />
        )}
      </div>
    </div>
  );
}
