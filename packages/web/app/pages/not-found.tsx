import { Link } from 'wouter-preact';

export function NotFound() {
  return (
    <div class="panel empty">
      <h1>Nothing here</h1>
      <p>This page does not exist. Pipelines live at their own link, which stays valid.</p>
      <Link href="/pipelines" class="btn">
        All pipelines
      </Link>
    </div>
  );
}
