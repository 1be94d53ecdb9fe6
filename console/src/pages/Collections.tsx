import { useState } from 'react';
import { api } from '../api';
import { ErrorBox, IndexState, ProtocolBadge, RangeIndexChip, vectorWords } from '../components/common';
import { count, humanBytes } from '../format';
import { collectionHref } from '../route';
import { useLoad } from '../useLoad';

export function CollectionsPage() {
  const tenants = useLoad(() => api.tenants(), []);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const ready = !tenants.loading && (tenants.data !== null || tenants.error !== null);

  return (
    <div className="page" data-testid="page-collections" data-ready={ready ? 'true' : 'false'}>
      <div className="page-head">
        <h1>Collections</h1>
        <input
          type="search"
          data-testid="collections-search"
          placeholder="Find a collection"
          aria-label="Find a collection"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button type="button" onClick={tenants.reload} data-testid="collections-refresh">
          Refresh
        </button>
      </div>
      <ErrorBox message={tenants.error} />
      {tenants.data?.length === 0 && <p className="muted">No tenants or collections yet.</p>}
      {tenants.data?.map((tenant) => (
        <section key={tenant.name} className="tenant" data-testid="tenant" data-tenant={tenant.name}>
          <h2>
            <span className="muted">tenant</span> {tenant.name}
          </h2>
          {tenant.databases.map((db) => {
            const collections = db.collections.filter(
              (c) => !needle || c.name.toLowerCase().includes(needle) || c.id.toLowerCase().includes(needle),
            );
            return (
              <div key={db.name} className="database" data-testid="database" data-database={db.name}>
                <h3>
                  <span className="muted">database</span> {db.name}
                </h3>
                {collections.length === 0 ? (
                  <p className="muted">No collections{needle ? ' match' : ''}.</p>
                ) : (
                  <table className="grid">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Protocol</th>
                        <th className="num">Records</th>
                        <th className="num">Dimension</th>
                        <th>Metric</th>
                        <th>Index</th>
                        <th>Range indexes</th>
                        <th className="num">Size</th>
                      </tr>
                    </thead>
                    <tbody>
                      {collections.map((c) => (
                        <tr
                          key={c.id}
                          data-testid="collection-row"
                          data-collection-id={c.id}
                          data-protocol={c.protocol ?? ''}
                          className="clickable"
                          onClick={(e) => {
                            if ((e.target as HTMLElement).closest('a')) return;
                            window.location.hash = collectionHref(c.id);
                          }}
                        >
                          <td>
                            <a href={collectionHref(c.id)} data-testid="collection-link">
                              {c.name}
                            </a>
                            {c.vectors.length > 1 && (
                              <div className="muted small" data-testid="collection-vectors">
                                {c.vectors.length} vectors: {c.vectors.map(vectorWords).join('; ')}
                              </div>
                            )}
                            {c.namespaces.length > 1 && (
                              <div className="muted small">{c.namespaces.length} namespaces</div>
                            )}
                          </td>
                          <td>
                            <ProtocolBadge protocol={c.protocol} />
                          </td>
                          <td className="num" data-testid="collection-records">
                            {count(c.records)}
                          </td>
                          <td className="num">{c.dimension ?? '—'}</td>
                          <td>{c.metric}</td>
                          <td>
                            <IndexState index={c.index} />
                          </td>
                          <td>
                            {c.rangeIndexes.length === 0 ? (
                              <span className="muted">—</span>
                            ) : (
                              c.rangeIndexes.map((r) => <RangeIndexChip key={`${r.key}:${r.kind}`} range={r} />)
                            )}
                          </td>
                          <td className="num">{humanBytes(c.sizeBytes)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            );
          })}
        </section>
      ))}
    </div>
  );
}
