import { useState } from 'react';
import { api, type SearchAnswer } from '../api';
import { ErrorBox, PathBadge } from '../components/common';
import { type Failure, failure, ScopeBox, toScope } from '../components/ScopeBox';
import { jsonText } from '../format';
import { target } from '../vectorInput';
import type { TabProps } from './Collection';

export function SearchTab({ summary, scope, onScope }: TabProps) {
  const [idText, setIdText] = useState('');
  const [vectorText, setVectorText] = useState('');
  const [k, setK] = useState(10);
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [error, setError] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setError(null);
    let by: { id?: string; vector?: number[] };
    try {
      by = target(idText, vectorText, summary.dimension);
    } catch (err) {
      setError(failure(err));
      return;
    }
    setBusy(true);
    try {
      setAnswer(await api.search(summary.id, { ...toScope(scope, summary), ...by, k }));
    } catch (err) {
      setError(failure(err));
      setAnswer(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel" data-testid="panel-search" data-ready={busy ? 'false' : 'true'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <div className="field">
            <label htmlFor="search-id">Record id</label>
            <input
              id="search-id"
              data-testid="search-id"
              value={idText}
              onChange={(e) => setIdText(e.target.value)}
              placeholder="search near this record"
              autoComplete="off"
            />
          </div>
          <div className="field narrow">
            <label htmlFor="search-k">k</label>
            <input
              id="search-k"
              data-testid="search-k"
              type="number"
              min={1}
              max={1000}
              value={k}
              onChange={(e) => setK(Math.max(1, Number(e.target.value) || 1))}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="search-vector">or a vector (JSON array)</label>
          <textarea
            id="search-vector"
            data-testid="search-vector"
            rows={2}
            spellCheck={false}
            placeholder="[0.12, -0.5, 0.33, …]"
            value={vectorText}
            onChange={(e) => setVectorText(e.target.value)}
          />
        </div>
        <ScopeBox
          summary={summary}
          scope={scope}
          onChange={onScope}
          error={error?.filter ? error.message : null}
          errorDialect={error?.dialect}
        />
        <div className="row">
          <button type="submit" className="primary" data-testid="search-submit" disabled={busy}>
            {busy ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      <ErrorBox message={error && !error.filter ? error.message : null} testId="search-error" />
      {answer && (
        <>
          <PathBadge path={answer.path} testId="search-path" />
          <table className="grid" data-testid="neighbours-table">
            <thead>
              <tr>
                <th>#</th>
                <th>id</th>
                <th className="num">distance</th>
                <th>document</th>
                <th>metadata</th>
              </tr>
            </thead>
            <tbody>
              {answer.neighbours.map((n, i) => (
                <tr key={`${i}:${n.id}`} data-testid="neighbour-row" data-record-id={n.id}>
                  <td className="num muted">{i + 1}</td>
                  <td className="mono" data-testid="neighbour-id">
                    {n.id}
                  </td>
                  <td className="num mono" data-testid="neighbour-distance">
                    {Number.isFinite(n.distance) ? n.distance.toFixed(4) : String(n.distance)}
                  </td>
                  <td className="doc" data-testid="neighbour-document">
                    {n.document ?? ''}
                  </td>
                  <td className="mono meta" data-testid="neighbour-metadata">
                    {jsonText(n.metadata)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {answer.neighbours.length === 0 && <p className="muted">No neighbours.</p>}
        </>
      )}
    </div>
  );
}
