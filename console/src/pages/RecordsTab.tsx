import {
  createColumnHelper,
  createSortedRowModel,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  sortFn_text,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useState } from 'react';
import { api, type RecordRow } from '../api';
import { ErrorBox } from '../components/common';
import { failure, outsideFilter, ScopeBox, toScope } from '../components/ScopeBox';
import { count, jsonText, vectorPreview } from '../format';
import { useLoad } from '../useLoad';
import type { TabProps } from './Collection';

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, basic: sortFn_basic },
});
const helper = createColumnHelper<typeof features, RecordRow>();
const columns = helper.columns([
  helper.accessor('id', { header: 'id', enableSorting: false }),
  helper.accessor((row) => row.document ?? '', { id: 'document', header: 'document', sortFn: 'text' }),
  helper.accessor((row) => jsonText(row.metadata), { id: 'metadata', header: 'metadata', sortFn: 'text' }),
  helper.accessor((row) => row.vector[0] ?? 0, { id: 'vector', header: 'vector', sortFn: 'basic' }),
]);

const PAGE_SIZES = [10, 20, 50, 100];
const EMPTY: RecordRow[] = [];

export function RecordsTab({ summary, scope, onScope }: TabProps) {
  // What the table shows: the scope as of the last "Apply", the order, the page.
  const [query, setQuery] = useState(() => ({ scope: toScope(scope, summary), offset: 0 }));
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [limit, setLimit] = useState(20);
  const records = useLoad(
    () => api.records(summary.id, { ...query.scope, limit, offset: query.offset, order }),
    [summary.id, query, order, limit],
    failure,
  );
  const { data: page, error, loading } = records;

  const table = useTable({
    features,
    columns,
    data: page?.records ?? EMPTY,
    getRowId: (row) => row.id,
  });

  const apply = () => setQuery({ scope: toScope(scope, summary), offset: 0 });
  const total = page?.total ?? 0;
  const offset = query.offset;

  return (
    <div className="panel" data-testid="panel-records" data-ready={loading ? 'false' : 'true'}>
      <ScopeBox summary={summary} scope={scope} onChange={onScope} failure={error}>
        <div className="row">
          <button type="button" className="primary" data-testid="apply-filter" onClick={apply}>
            Apply
          </button>
        </div>
      </ScopeBox>
      <ErrorBox message={outsideFilter(error)} />
      <div className="pager">
        <button
          type="button"
          data-testid="page-prev"
          disabled={offset === 0 || loading}
          onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - limit) }))}
        >
          ‹ Prev
        </button>
        <span>
          {page && page.records.length > 0 ? `${count(offset + 1)}–${count(offset + page.records.length)} of ` : ''}
          <span data-testid="records-total">{page ? page.total : ''}</span> matching
        </span>
        <button
          type="button"
          data-testid="page-next"
          disabled={offset + limit >= total || loading}
          onClick={() => setQuery((q) => ({ ...q, offset: q.offset + limit }))}
        >
          Next ›
        </button>
        <label>
          per page{' '}
          <select
            data-testid="page-size"
            value={limit}
            onChange={(e) => {
              setLimit(Number(e.target.value));
              setQuery((q) => ({ ...q, offset: 0 }));
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {loading && <span className="muted">loading…</span>}
      </div>
      <table className="grid records" data-testid="records-table">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const column = header.column;
                if (column.id === 'id') {
                  return (
                    <th key={header.id} data-testid="sort-id">
                      <button
                        type="button"
                        className="sort"
                        title="Order by id (server side)"
                        onClick={() => {
                          setOrder((o) => (o === 'asc' ? 'desc' : 'asc'));
                          setQuery((q) => ({ ...q, offset: 0 }));
                        }}
                      >
                        id {order === 'asc' ? '▲' : '▼'}
                      </button>
                    </th>
                  );
                }
                const sorted = column.getIsSorted();
                return (
                  <th key={header.id} data-testid={`sort-${column.id}`}>
                    <button
                      type="button"
                      className="sort"
                      title="Sort this page"
                      onClick={column.getToggleSortingHandler()}
                    >
                      <table.FlexRender header={header} />
                      {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => {
            const record = row.original;
            return (
              <tr key={row.id} data-testid="record-row" data-record-id={record.id}>
                <td data-testid="record-id" className="mono">
                  {record.id}
                </td>
                <td data-testid="record-document" className="doc">
                  {record.document ?? ''}
                </td>
                <td data-testid="record-metadata" className="mono meta">
                  {jsonText(record.metadata)}
                </td>
                <td data-testid="record-vector" className="mono vec">
                  {vectorPreview(record.vector, record.dimension)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {page && page.records.length === 0 && !loading && <p className="muted">No records match.</p>}
    </div>
  );
}
