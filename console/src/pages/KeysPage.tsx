import { useState } from 'react';
import { api, ApiError, type ApiKeyRow, errorMessage, type Principal } from '../api';
import { ErrorBox } from '../components/common';
import { SubmitForm } from '../components/SubmitForm';
import { dateTime } from '../format';
import { useLoad } from '../useLoad';
import { useRequest } from '../useRequest';

export function KeysPage({ principal, onSignIn }: { principal: Principal | null; onSignIn: () => void }) {
  const keys = useLoad(() => api.keys(), []);
  // The list after a change. Creating the first key turns authentication on (VECGATE_AUTH=auto):
  // the next call is then a 401, which must not hide the key that is shown only once.
  const [list, setList] = useState<ApiKeyRow[] | null>(null);
  const [signInNow, setSignInNow] = useState(false);
  const rows = list ?? keys.data;
  const [tenant, setTenant] = useState(principal?.tenant ?? 'default_tenant');
  const [databases, setDatabases] = useState('');
  const [admin, setAdmin] = useState(false);
  const [created, setCreated] = useState<{ id: string; key: string } | null>(null);
  const { busy, error: actionError, setError: setActionError, run } = useRequest(errorMessage);
  const ready = !keys.loading && (keys.data !== null || keys.error !== null);

  const refresh = async () => {
    try {
      setList(await api.keys({ quiet401: true }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSignInNow(true);
      else setActionError(errorMessage(err));
    }
  };

  const create = () => {
    setCreated(null);
    return run(async () => {
      const list = databases
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      const answer = await api.createKey({
        tenant: tenant.trim(),
        ...(list.length > 0 ? { databases: list } : {}),
        ...(admin ? { admin: true } : {}),
      });
      setCreated(answer);
      await refresh();
    });
  };

  const revoke = (id: string) =>
    run(async () => {
      await api.revokeKey(id);
      await refresh();
    });

  return (
    <div className="page" data-testid="page-keys" data-ready={ready ? 'true' : 'false'}>
      <div className="page-head">
        <h1>API keys</h1>
      </div>
      <ErrorBox message={keys.error} />
      {rows && (
        <>
          <SubmitForm className="card row" onSubmit={() => void create()}>
            <div className="field">
              <label htmlFor="key-tenant">Tenant</label>
              <input
                id="key-tenant"
                data-testid="key-tenant"
                required
                autoComplete="off"
                value={tenant}
                onChange={(e) => setTenant(e.target.value)}
              />
            </div>
            <div className="field grow">
              <label htmlFor="key-databases">Databases (comma-separated; empty = all)</label>
              <input
                id="key-databases"
                data-testid="key-databases"
                autoComplete="off"
                value={databases}
                onChange={(e) => setDatabases(e.target.value)}
              />
            </div>
            <label className="check">
              <input
                type="checkbox"
                data-testid="key-admin"
                checked={admin}
                onChange={(e) => setAdmin(e.target.checked)}
              />{' '}
              admin
            </label>
            <div className="field">
              <button type="submit" className="primary" data-testid="key-create" disabled={busy || !tenant.trim()}>
                Create key
              </button>
            </div>
          </SubmitForm>
          {created && (
            <div className="card created">
              <p>
                New key <span className="mono">{created.id}</span>. Store it now: it is not shown again.
              </p>
              <code className="secret" data-testid="key-created">
                {created.key}
              </code>
              <button type="button" onClick={() => setCreated(null)} data-testid="key-created-dismiss">
                Done
              </button>
            </div>
          )}
          {signInNow && (
            <div className="card warning" data-testid="key-signin-required">
              The gateway now requires an API key: store the new key, then{' '}
              <button type="button" className="primary" data-testid="key-signin" onClick={onSignIn}>
                sign in
              </button>
            </div>
          )}
          <ErrorBox message={actionError} testId="key-error" />
          <table className="grid" data-testid="keys-table">
            <thead>
              <tr>
                <th>id</th>
                <th>tenant</th>
                <th>databases</th>
                <th>admin</th>
                <th>created</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((k) => (
                <tr key={k.id} data-testid="key-row" data-key-id={k.id} data-revoked={k.revokedAt ? 'true' : 'false'}>
                  <td className="mono">
                    {k.id}
                    {principal?.keyId === k.id && <span className="badge">this session</span>}
                  </td>
                  <td>{k.tenant}</td>
                  <td>{k.databases === null ? 'all' : k.databases.join(', ')}</td>
                  <td>{k.admin ? 'yes' : 'no'}</td>
                  <td>{dateTime(k.createdAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="badge revoked" data-testid="key-revoked">
                        revoked {dateTime(k.revokedAt)}
                      </span>
                    ) : (
                      <>
                        <span className="badge active">active</span>{' '}
                        <button
                          type="button"
                          className="danger small"
                          data-testid="key-revoke"
                          disabled={busy}
                          onClick={() => void revoke(k.id)}
                        >
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="muted">No keys.</p>}
        </>
      )}
    </div>
  );
}
