import { Link } from 'wouter-preact';
import { useI18n } from '../i18n/i18n';

export function NotFound() {
  const { t } = useI18n();
  return (
    <div class="panel empty">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link href="/pipelines" class="btn">
        {t('notFound.all')}
      </Link>
    </div>
  );
}
