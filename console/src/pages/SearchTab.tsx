import { useState } from 'react';
import { api, type SearchAnswer } from '../api';
import { ErrorBox, PathBadge } from '../components/common';
import { QueryTargetFields } from '../components/QueryTargetFields';
import { type Failure, failure, outsideFilter, ScopeBox, toScope } from '../components/ScopeBox';
import { SubmitForm } from '../components/SubmitForm';
import { jsonText } from '../format';
import { useAnswer } from '../useRequest';
import { EMPTY_TARGET, queryTarget } from '../vectorInput';
import type { TabProps } from './Collection';

export function SearchTab({ summary, scope, onScope }: TabProps) {
  const [queryText, setQueryText] = useState(EMPTY_TARGET);
  const { busy, error, answer, ask, validate } = useAnswer<SearchAnswer, Failure>(failure);

  const submit = () => {
    const by = validate(() => queryTarget(queryText, summary.dimension));
    if (!by) return;
    void ask(() => api.search(summary.id, { ...toScope(scope, summary), ...by }));
  };

  return (
    <div className="panel" data-testid="panel-search" data-ready={busy ? 'false' : 'true'}>
      <SubmitForm onSubmit={submit}>
        <QueryTargetFields
          prefix="search"
          value={queryText}
          onChange={setQueryText}
          stacked
          idPlaceholder="search near this record"
          vectorPlaceholder="[0.12, -0.5, 0.33, …]"
          maxK={1000}
        />
        <ScopeBox summary={summary} scope={scope} onChange={onScope} failure={error} />
        <div className="row">
          <button type="submit" className="primary" data-testid="search-submit" disabled={busy}>
            {busy ? 'Searching…' : 'Search'}
          </button>
        </div>
      </SubmitForm>
      <ErrorBox message={outsideFilter(error)} testId="search-error" />
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
