import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';

export function SignInRequired() {
  const session = useSession();
  const { t } = useI18n();
  return (
    <div class="panel empty">
      <h1>{t('signIn.requiredTitle')}</h1>
      <p>{t('signIn.requiredBody')}</p>
      <button type="button" class="btn btn-primary" onClick={() => session.setPromptSignIn(true)}>
        {t('signIn.withToken')}
      </button>
    </div>
  );
}
