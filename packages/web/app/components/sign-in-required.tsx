import { useSession } from '../auth/session';

export function SignInRequired() {
  const session = useSession();
  return (
    <div class="panel empty">
      <h1>Sign in to see pipelines</h1>
      <p>
        This Ferry does not show pipelines without a token. Ask its operators for one (a viewer token is
        enough to read).
      </p>
      <button type="button" class="btn btn-primary" onClick={() => session.setPromptSignIn(true)}>
        Sign in with a token
      </button>
    </div>
  );
}
