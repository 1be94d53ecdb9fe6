import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorMessage, onUnauthorized, type Session, storedKey, storeKey } from './api';
import { CollectionPage } from './pages/Collection';
import { CollectionsPage } from './pages/Collections';
import { KeysPage } from './pages/KeysPage';
import { SignInPage } from './pages/SignIn';
import { useRoute } from './route';

const OperatePage = lazy(() => import('./pages/OperatePage').then((m) => ({ default: m.OperatePage })));

type State =
  | { phase: 'checking' }
  | { phase: 'signin'; message: string | null }
  | { phase: 'failed'; message: string }
  | { phase: 'ready'; session: Session };

export function App() {
  const [state, setState] = useState<State>({ phase: 'checking' });
  const [attempt, setAttempt] = useState(0);
  const route = useRoute();

  const signOut = useCallback((message: string | null) => {
    storeKey(null);
    setState({ phase: 'signin', message });
  }, []);

  const setSession = useCallback((session: Session) => setState({ phase: 'ready', session }), []);

  useEffect(() => onUnauthorized((message) => signOut(message)), [signOut]);

  useEffect(() => {
    let live = true;
    const key = storedKey();
    api.session(key).then(
      (session) => {
        if (!live) return;
        if (session.auth && !session.principal) signOut(null);
        else setState({ phase: 'ready', session });
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 401) signOut(key ? err.message : null);
        else setState({ phase: 'failed', message: errorMessage(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [attempt, signOut]);

  if (state.phase === 'checking')
    return (
      <div className="loading" data-testid="app-loading">
        Loading…
      </div>
    );
  if (state.phase === 'failed')
    return (
      <div className="signin" data-testid="app-failed">
        <div className="card">
          <div className="error" role="alert">
            {state.message}
          </div>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            Retry
          </button>
        </div>
      </div>
    );
  if (state.phase === 'signin')
    return (
      <SignInPage
        key={state.message ?? ''}
        message={state.message}
        onSignedIn={(key, session) => {
          storeKey(key);
          setState({ phase: 'ready', session });
        }}
      />
    );

  const { session } = state;
  const principal = session.principal;
  const hasKey = storedKey() !== null;
  return (
    <div className="layout">
      <header className="topbar">
        <a className="brand" href="#/collections">
          vecgate
        </a>
        <nav className="nav">
          <a href="#/collections" data-testid="nav-collections" className={navClass(route.page, 'collections')}>
            Collections
          </a>
          <a href="#/operate" data-testid="nav-operate" className={navClass(route.page, 'operate')}>
            Operate
          </a>
          <a href="#/keys" data-testid="nav-keys" className={navClass(route.page, 'keys')}>
            Keys
          </a>
        </nav>
        <div className="who" data-testid="principal">
          {!session.auth ? (
            <span className="badge warn" title="The gateway runs without API keys">
              auth off
            </span>
          ) : principal ? (
            <>
              <span>{principal.tenant}</span>
              {principal.admin && <span className="badge">admin</span>}
            </>
          ) : null}
          {(hasKey || session.auth) && (
            <button type="button" data-testid="signout" onClick={() => signOut(null)}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {route.page === 'collections' && <CollectionsPage />}
          {route.page === 'collection' && <CollectionPage key={route.id} id={route.id} tab={route.tab} />}
          {route.page === 'operate' && <OperatePage />}
          {route.page === 'keys' && <KeysPage session={session} onSession={setSession} onSignOut={signOut} />}
        </Suspense>
      </main>
    </div>
  );
}

function navClass(page: string, link: string): string | undefined {
  const active = page === link || (link === 'collections' && page === 'collection');
  return active ? 'active' : undefined;
}
