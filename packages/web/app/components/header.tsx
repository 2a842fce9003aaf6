import { Link, useLocation } from 'wouter-preact';
import { useSession } from '../auth/session';

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
  const onEnvironments = location.startsWith('/environments');
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <Link href="/" class="brand" aria-label="Ferry: pipelines">
          <Logo />
          <span>Ferry</span>
        </Link>
        <nav class="nav">
          <NavLink href="/pipelines" label="Pipelines" active={!onEnvironments} />
          <NavLink href="/environments" label="Environments" active={onEnvironments} />
        </nav>
        <div class="who">
          {caller?.authenticated ? (
            <>
              <span
                class="who-name"
                title={
                  caller.via === 'proxy'
                    ? `Signed in as “${caller.name}” by the sign-in proxy`
                    : `Signed in with the token “${caller.name}”`
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
                  Use a token
                </button>
              ) : (
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => session.signOut()}>
                  Sign out
                </button>
              )}
            </>
          ) : (
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => session.setPromptSignIn(true)}>
              Sign in
            </button>
          )}
        </div>
      </div>
    </header>
  );
}
