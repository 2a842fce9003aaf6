import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n';
import { useSession } from './session';

/** A token from the operators (`auth.tokens`), checked with `GET /api/v1/me` and kept in this browser. */
export function SignInDialog() {
  const session = useSession();
  const { t } = useI18n();
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
        (err as { status?: number }).status === 401 ? t('signIn.unknownToken') : (err as Error).message,
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
        <h2 id="signin-title">{t('session.signIn')}</h2>
        <p class="muted">{t('signIn.dialogBody')}</p>
        <label class="field">
          <span>{t('signIn.token')}</span>
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
            {t('signIn.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('signIn.checking') : t('session.signIn')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
