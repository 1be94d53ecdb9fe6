import { lazy, Suspense, useState } from 'react';
import { api, type CollectionSummary } from '../api';
import { ErrorBox, IndexState, ProtocolBadge, vectorWords } from '../components/common';
import { initialScope, type ScopeState } from '../components/ScopeBox';
import { count, dateTime, humanBytes } from '../format';
import { collectionHref, type Tab, TABS } from '../route';
import { useLoad } from '../useLoad';
import { DeleteTab } from './DeleteTab';
import { RecordsTab } from './RecordsTab';
import { SearchTab } from './SearchTab';

// Chart.js and ml-pca load with the tabs that draw.
const ExplainTab = lazy(() => import('./ExplainTab').then((m) => ({ default: m.ExplainTab })));
const ProjectionTab = lazy(() => import('./ProjectionTab').then((m) => ({ default: m.ProjectionTab })));
const QualityTab = lazy(() => import('./QualityTab').then((m) => ({ default: m.QualityTab })));

const TAB_LABELS: Record<Tab, string> = {
  records: 'Records',
  search: 'Search',
  explain: 'Explain',
  projection: 'Projection',
  quality: 'Quality',
  delete: 'Delete',
};

export function CollectionPage({ id, tab }: { id: string; tab: Tab }) {
  const summary = useLoad(() => api.collection(id), [id]);
  const ready = !summary.loading && (summary.data !== null || summary.error !== null);
  return (
    <div className="page" data-testid="page-collection" data-collection-id={id} data-ready={ready ? 'true' : 'false'}>
      <p className="crumbs">
        <a href="#/collections">Collections</a> /
      </p>
      <ErrorBox message={summary.error} />
      {summary.data && (summary.data.id === id || !summary.loading) && (
        <Loaded key={summary.data.id} summary={summary.data} tab={tab} reloadSummary={summary.reload} />
      )}
    </div>
  );
}

function Loaded({ summary, tab, reloadSummary }: { summary: CollectionSummary; tab: Tab; reloadSummary: () => void }) {
  const [scope, setScope] = useState<ScopeState>(() => initialScope(summary));
  // The Delete tab's filter is its own: a filter typed to browse must not become what is deleted.
  const [deleteScope, setDeleteScope] = useState<ScopeState>(() => initialScope(summary));
  const common = { summary, scope, onScope: setScope };
  return (
    <>
      <header className="collection-head" data-testid="collection-header">
        <h1>
          <span data-testid="collection-name">{summary.name}</span> <ProtocolBadge protocol={summary.protocol} />
        </h1>
        <dl className="facts">
          <div>
            <dt>id</dt>
            <dd data-testid="collection-id">{summary.id}</dd>
          </div>
          <div>
            <dt>tenant / database</dt>
            <dd>
              {summary.tenant} / {summary.database}
            </dd>
          </div>
          <div>
            <dt>records</dt>
            <dd data-testid="collection-records">{count(summary.records)}</dd>
          </div>
          <div>
            <dt>dimension</dt>
            <dd>{summary.dimension ?? '—'}</dd>
          </div>
          <div>
            <dt>metric</dt>
            <dd>{summary.metric}</dd>
          </div>
          <div>
            <dt>index</dt>
            <dd>
              <IndexState index={summary.index} />
            </dd>
          </div>
          <div>
            <dt>size</dt>
            <dd>{humanBytes(summary.sizeBytes)}</dd>
          </div>
          <div>
            <dt>created</dt>
            <dd>{dateTime(summary.createdAt)}</dd>
          </div>
        </dl>
        {summary.index.detail && <p className="muted small">{summary.index.detail}</p>}
        {(summary.vectors.length > 1 || summary.vectors.some((v) => v.name !== '')) && (
          <div className="vectors" data-testid="collection-vectors">
            <strong>{summary.vectors.length === 1 ? 'Vector' : `${summary.vectors.length} vectors`}</strong>
            <ul>
              {summary.vectors.map((v) => (
                <li key={v.name} data-testid="collection-vector" data-vector={v.name}>
                  {vectorWords(v)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </header>
      <nav className="tabs" aria-label="Collection views">
        {TABS.map((t) => (
          <a
            key={t}
            href={collectionHref(summary.id, t)}
            data-testid={`tab-${t}`}
            className={t === tab ? 'active' : undefined}
            aria-current={t === tab ? 'page' : undefined}
          >
            {TAB_LABELS[t]}
          </a>
        ))}
      </nav>
      <div className="tab-body">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {tab === 'records' && <RecordsTab {...common} />}
          {tab === 'search' && <SearchTab {...common} />}
          {tab === 'explain' && <ExplainTab {...common} />}
          {tab === 'projection' && <ProjectionTab {...common} />}
          {tab === 'quality' && <QualityTab summary={summary} />}
          {tab === 'delete' && (
            <DeleteTab summary={summary} scope={deleteScope} onScope={setDeleteScope} onDeleted={reloadSummary} />
          )}
        </Suspense>
      </div>
    </>
  );
}

export interface TabProps {
  summary: CollectionSummary;
  scope: ScopeState;
  onScope: (scope: ScopeState) => void;
}
