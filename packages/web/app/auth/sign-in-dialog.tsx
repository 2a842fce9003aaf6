import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from './session';

/** A token from the operators (`auth.tokens`), checked with `GET /api/v1/me` and kept in this browser. */
export function SignInDialog() {
  const session = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d === null) return;
    if (session.promptSignIn && !d.open) {
      setError(undefined);
      d.showModal();
    } else if (!session.promptSignIn && d.open) d.close();
  }, [session.promptSignIn]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = value.trim();
    if (candidate === '') return;
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(candidate);
      setValue('');
      session.setPromptSignIn(false);
    } catch (err) {
      setError(
        (err as { status?: number }).status === 401
          ? 'Ferry does not know this token.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      onClose={() => session.setPromptSignIn(false)}
      aria-labelledby="signin-title"
    >
      <form onSubmit={submit}>
        <h2 id="signin-title">Sign in</h2>
        <p class="muted">
          Paste an API token from your Ferry operators. A viewer token reads; a deployer token can also
          cancel, retry and approve. It is kept in this browser only.
        </p>
        <label class="field">
          <span>Token</span>
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        {error !== undefined && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => session.setPromptSignIn(false)}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
