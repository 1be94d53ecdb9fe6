import { useState } from 'react';
import { api, ApiError, errorMessage, type Session } from '../api';

export function SignInPage({
  message,
  onSignedIn,
}: {
  message: string | null;
  onSignedIn: (key: string, session: Session) => void;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const typed = key.trim();
    if (!typed) {
      setError('Type an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await api.session(typed);
      if (session.auth && !session.principal) {
        setError('The gateway did not accept this key.');
        return;
      }
      setKey('');
      onSignedIn(typed, session);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? err.message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin" data-testid="page-signin" data-ready="true">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>vecgate console</h1>
        <label htmlFor="signin-key">API key</label>
        <input
          id="signin-key"
          data-testid="signin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" className="primary" data-testid="signin-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <div className="error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
        <p className="muted small">The key is kept in this tab's session storage until you sign out.</p>
      </form>
    </div>
  );
}
