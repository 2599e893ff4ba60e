import { useState } from 'preact/hooks';

export function SignInPage({ onSignIn, error }: { onSignIn: (token: string) => Promise<void>; error: string | null }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    await onSignIn(token.trim());
    setBusy(false);
  };
  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit} aria-describedby="signin-help">
        <div class="brand brand-large"><span class="brand-mark" aria-hidden="true" />Switchyard</div>
        <h1>Sign in to the console</h1>
        <p id="signin-help" class="muted">
          Use a control-plane token: the admin token in <code>&lt;data-dir&gt;/admin-token</code>, or one an Owner made
          with <code>switchyard token create</code>. It stays in this tab only.
        </p>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required
          value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined} />
        {error ? <p id="signin-error" class="form-error" role="alert">{error}</p> : null}
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || !token.trim()}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
