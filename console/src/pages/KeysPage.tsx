import { useState } from 'react';
import { api, ApiError, type ApiKeyRow, errorMessage, type Session, storeKey } from '../api';
import { ErrorBox } from '../components/common';
import { SubmitForm } from '../components/SubmitForm';
import { dateTime } from '../format';
import { useLoad } from '../useLoad';
import { useRequest } from '../useRequest';

/** How to make an admin key when the console has none: the CLI, on the gateway's machine. */
function adminKeyHow(tenant: string): string {
  return `On the gateway's machine: npm run keys -- create --tenant ${tenant} --admin (with the embedded database, stop the gateway first).`;
}

export function KeysPage({
  session,
  onSession,
  onSignOut,
}: {
  session: Session;
  /** The session changed: auth turned on by the first key, the console signed in with it. */
  onSession: (session: Session) => void;
  onSignOut: (message: string | null) => void;
}) {
  const principal = session.principal;
  const keys = useLoad(() => api.keys(), []);
  // The list after a change: the answer of the last refresh, or the rows as this page changed them.
  const [list, setList] = useState<ApiKeyRow[] | null>(null);
  const rows = list ?? keys.data;
  const [tenant, setTenant] = useState(principal?.tenant ?? 'default_tenant');
  const [databases, setDatabases] = useState('');
  // With auth off, the key made here is the first: it turns auth on, and must be able to manage keys.
  const first = !session.auth;
  const [admin, setAdmin] = useState(first);
  const [created, setCreated] = useState<{ id: string; key: string; signedIn: boolean } | null>(null);
  // The key whose revoking waits for a confirmation, and (for the console's own key) the tick that says "I know".
  const [confirming, setConfirming] = useState<string | null>(null);
  const [understood, setUnderstood] = useState(false);
  const { busy, error: actionError, run } = useRequest(errorMessage);
  const ready = !keys.loading && (keys.data !== null || keys.error !== null);

  const refresh = async () => {
    try {
      setList(await api.keys({ quiet401: true }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        onSignOut('The gateway no longer accepts the key this console was signed in with: sign in again.');
      else throw err;
    }
  };

  const create = () => {
    setCreated(null);
    return run(async () => {
      const names = databases
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      const answer = await api.createKey({
        tenant: tenant.trim(),
        ...(names.length > 0 ? { databases: names } : {}),
        ...(admin ? { admin: true } : {}),
      });
      if (!first) {
        setCreated({ ...answer, signedIn: false });
        await refresh();
        return;
      }
      // Auth is on now, for every client: the console signs in with the key it just made, so that
      // it keeps working (and, with an admin key, keeps managing keys).
      const now = await api.session(answer.key);
      storeKey(answer.key);
      setCreated({ ...answer, signedIn: true });
      setAdmin(false);
      onSession(now);
      if (now.principal?.admin) await refresh();
      else
        setList([
          {
            id: answer.id,
            tenant: tenant.trim(),
            databases: names.length > 0 ? names : null,
            admin: false,
            createdAt: new Date().toISOString(),
            revokedAt: null,
          },
        ]);
    });
  };

  const ask = (id: string) => {
    setConfirming(id);
    setUnderstood(false);
  };

  const revoke = (id: string) =>
    run(async () => {
      const own = principal?.keyId === id;
      await api.revokeKey(id, own);
      setConfirming(null);
      const at = new Date().toISOString();
      setList((rows ?? []).map((k) => (k.id === id ? { ...k, revokedAt: at } : k)));
      if (own) {
        storeKey(null);
        onSignOut(`Key ${id} is revoked and this console is signed out: sign in with another key.`);
        return;
      }
      await refresh();
    });

  const live = rows?.filter((k) => !k.revokedAt) ?? [];

  return (
    <div className="page" data-testid="page-keys" data-ready={ready && !busy ? 'true' : 'false'}>
      <div className="page-head">
        <h1>API keys</h1>
      </div>
      <ErrorBox message={keys.error} />
      {rows && (
        <>
          {first && (
            <div className="card warning" data-testid="key-first-warning">
              No API key exists yet, so the gateway is open to every client. Creating the first key turns authentication
              on: from then on every client of every protocol needs a key. Keep &ldquo;admin&rdquo; ticked so that the
              key can manage keys; the console signs in with it.
            </div>
          )}
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
              admin (manages keys)
            </label>
            <div className="field">
              <button type="submit" className="primary" data-testid="key-create" disabled={busy || !tenant.trim()}>
                {first ? 'Create the first key and turn auth on' : 'Create key'}
              </button>
            </div>
          </SubmitForm>
          {first && !admin && (
            <p className="warning" data-testid="key-first-not-admin">
              Without &ldquo;admin&rdquo;, the first key cannot manage keys: the console could then make no more.{' '}
              {adminKeyHow(tenant.trim() || 'default_tenant')}
            </p>
          )}
          {created && (
            <div className="card created">
              <p>
                New key <span className="mono">{created.id}</span>. Store it now: it is not shown again.
              </p>
              <code className="secret" data-testid="key-created">
                {created.key}
              </code>
              {created.signedIn && (
                <p data-testid="key-auth-on">
                  Authentication is on: every client needs a key now. This console is signed in with this one.
                </p>
              )}
              <button type="button" onClick={() => setCreated(null)} data-testid="key-created-dismiss">
                Done
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
              {rows.map((k) => {
                const own = principal?.keyId === k.id;
                const otherAdmin = live.some((o) => o.id !== k.id && o.admin && o.tenant === k.tenant);
                return (
                  <tr key={k.id} data-testid="key-row" data-key-id={k.id} data-revoked={k.revokedAt ? 'true' : 'false'}>
                    <td className="mono">
                      {k.id}
                      {own && (
                        <span className="badge" data-testid="key-this-session">
                          this session
                        </span>
                      )}
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
                      ) : confirming === k.id ? (
                        <div className="confirm" data-testid="key-revoke-confirmation">
                          {own ? (
                            <>
                              <p className="warning" data-testid="key-revoke-own-warning">
                                This is the key this console is signed in with: revoking it signs you out
                                {k.admin && !otherAdmin
                                  ? ', and no other admin key of this tenant is left to manage keys. ' +
                                    adminKeyHow(k.tenant)
                                  : '.'}
                              </p>
                              <label className="check">
                                <input
                                  type="checkbox"
                                  data-testid="key-revoke-understood"
                                  checked={understood}
                                  onChange={(e) => setUnderstood(e.target.checked)}
                                />{' '}
                                I understand: sign me out
                              </label>
                            </>
                          ) : (
                            <p>Revoke this key? Every client using it is refused from now on.</p>
                          )}
                          <button
                            type="button"
                            className="danger small"
                            data-testid="key-revoke-confirm"
                            disabled={busy || (own && !understood)}
                            onClick={() => void revoke(k.id)}
                          >
                            {own ? 'Revoke and sign out' : 'Revoke'}
                          </button>{' '}
                          <button
                            type="button"
                            className="small"
                            data-testid="key-revoke-cancel"
                            onClick={() => setConfirming(null)}
                          >
                            Cancel
                          </button>
                        </div>
                      ) : (
                        <>
                          <span className="badge active">active</span>{' '}
                          <button
                            type="button"
                            className="danger small"
                            data-testid="key-revoke"
                            disabled={busy}
                            onClick={() => ask(k.id)}
                          >
                            Revoke…
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length === 0 && (
            <p className="muted" data-testid="keys-empty">
              No keys.
            </p>
          )}
        </>
      )}
    </div>
  );
}
