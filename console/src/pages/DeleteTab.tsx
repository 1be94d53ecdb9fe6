import { useState } from 'react';
import { api } from '../api';
import { ErrorBox } from '../components/common';
import { failure, outsideFilter, ScopeBox, toScope } from '../components/ScopeBox';
import { count } from '../format';
import { useRequest } from '../useRequest';
import type { TabProps } from './Collection';

export function DeleteTab({ summary, scope, onScope, onDeleted }: TabProps & { onDeleted: () => void }) {
  // The dry run counts for the exact scope it ran with; any change asks for a new count.
  const [dryRun, setDryRun] = useState<{ key: string; matched: number } | null>(null);
  const [result, setResult] = useState<number | null>(null);
  const { busy, error, run } = useRequest(failure);
  const current = toScope(scope, summary);
  const key = JSON.stringify(current);
  const counted = dryRun !== null && dryRun.key === key ? dryRun.matched : null;
  const unfiltered = !current.filter && !current.whereDocument;

  const send = (dry: boolean) =>
    run(async () => {
      const answer = await api.deleteRecords(summary.id, { ...current, dryRun: dry });
      if (dry) {
        setDryRun({ key, matched: answer.matched ?? 0 });
        setResult(null);
      } else {
        setResult(answer.deleted ?? 0);
        setDryRun(null);
        onDeleted();
      }
    });

  return (
    <div className="panel" data-testid="panel-delete" data-ready={busy ? 'false' : 'true'}>
      <p className="muted">
        Delete the records that match a filter (this tab&rsquo;s own: the Records filter is not carried over). Count
        them first; the delete button then names how many go.
      </p>
      <ScopeBox summary={summary} scope={scope} onChange={onScope} failure={error} />
      <div className="row">
        <button type="button" data-testid="delete-dry-run" disabled={busy} onClick={() => void send(true)}>
          Count
        </button>
        {counted !== null && (
          <span data-testid="delete-matching">
            Matching: <strong data-testid="delete-count">{counted}</strong>
          </span>
        )}
        <button
          type="button"
          className="danger"
          data-testid="delete-confirm"
          disabled={busy || counted === null || counted === 0}
          onClick={() => void send(false)}
        >
          {counted === null
            ? 'Delete (count first)'
            : `Delete ${unfiltered ? 'all ' : ''}${count(counted)} record${counted === 1 ? '' : 's'}`}
        </button>
      </div>
      {unfiltered && counted !== null && counted > 0 && (
        <p className="warning">
          No filter: this deletes every record{current.namespace !== undefined ? ' in the namespace' : ''}.
        </p>
      )}
      <ErrorBox message={outsideFilter(error)} testId="delete-error" />
      {result !== null && (
        <p className="ok" data-testid="delete-result" data-deleted={result}>
          Deleted {count(result)} record{result === 1 ? '' : 's'}.
        </p>
      )}
    </div>
  );
}
