import { useState } from 'react';
import { api, errorMessage, type Session } from '../api';
import { SubmitForm } from '../components/SubmitForm';
import { useRequest } from '../useRequest';

export function SignInPage({
  message,
  onSignedIn,
}: {
  message: string | null;
  onSignedIn: (key: string, session: Session) => void;
}) {
  const [key, setKey] = useState('');
  // An ApiError, a 401 included, is an Error: errorMessage shows its message as before.
  const { busy, error, setError, run } = useRequest(errorMessage, message);

  const submit = () => {
    const typed = key.trim();
    if (!typed) {
      setError('Type an API key.');
      return;
    }
    void run(async () => {
      const session = await api.session(typed);
      if (session.auth && !session.principal) {
        setError('The gateway did not accept this key.');
        return;
      }
      setKey('');
      onSignedIn(typed, session);
    });
  };

  return (
    <div className="signin" data-testid="page-signin" data-ready="true">
      <SubmitForm className="card" onSubmit={submit}>
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
      </SubmitForm>
    </div>
  );
}
