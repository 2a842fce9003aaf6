import { Link, useLocation } from 'wouter-preact';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';

function Logo() {
  return (
    <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
      <path d="M6 19h20l-3 6H9z" fill="#38bdf8" />
      <path d="M11 18V8l8 10z" fill="#f8fafc" />
      <path
        d="M4 28c2 0 2-1 4-1s2 1 4 1 2-1 4-1 2 1 4 1 2-1 4-1 2 1 4 1"
        stroke="#38bdf8"
        stroke-width="1.6"
        fill="none"
        stroke-linecap="round"
      />
    </svg>
  );
}

function NavLink({ href, label, active }: { href: string; label: string; active: boolean }) {
  return (
    <Link
      href={href}
      class={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
    >
      {label}
    </Link>
  );
}

export function Header() {
  const [location] = useLocation();
  const session = useSession();
  const caller = session.caller;
  const { t, language, setLanguage } = useI18n();
  const section = location.startsWith('/environments')
    ? 'environments'
    : location.startsWith('/deployments')
      ? 'deployments'
      : 'pipelines';
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <Link href="/" class="brand" aria-label={t('nav.brand')}>
          <Logo />
          <span>Ferry</span>
        </Link>
        <nav class="nav">
          <NavLink href="/pipelines" label={t('nav.pipelines')} active={section === 'pipelines'} />
          <NavLink href="/environments" label={t('nav.environments')} active={section === 'environments'} />
          <NavLink href="/deployments" label={t('nav.deployments')} active={section === 'deployments'} />
        </nav>
        <button
          type="button"
          class="btn btn-ghost btn-sm lang-switch"
          data-testid="language-switch"
          lang={language === 'zh' ? 'en' : 'zh-CN'}
          title={t('lang.switchTitle')}
          onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}
        >
          {t('lang.switch')}
        </button>
        <div class="who">
          {caller?.authenticated ? (
            <>
              <span
                class="who-name"
                title={
                  caller.via === 'proxy'
                    ? t('session.byProxy', { name: caller.name ?? '' })
                    : t('session.byToken', { name: caller.name ?? '' })
                }
              >
                <span class="avatar" aria-hidden="true">
                  {(caller.name ?? '?').slice(0, 1).toUpperCase()}
                </span>
                <span class="who-text">
                  {caller.name}
                  <span class={`role role-${caller.role}`}>{caller.role}</span>
                </span>
              </span>
              {/* A proxy sign-in ends at the proxy; a token (which takes precedence) can still be used. */}
              {caller.via === 'proxy' ? (
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  onClick={() => session.setPromptSignIn(true)}
                >
                  {t('session.useToken')}
                </button>
              ) : (
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => session.signOut()}>
                  {t('session.signOut')}
                </button>
              )}
            </>
          ) : (
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => session.setPromptSignIn(true)}>
              {t('session.signIn')}
            </button>
          )}
        </div>
      </div>
    </header>
  );
}
