import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import type { EnvironmentSummary } from '../../api/types';
import { LiveDot } from '../../components/live-dot';
import { useNow } from '../../live/use-now';
import { EnvironmentCard } from './environment-card';
import { useEnvironments } from './use-environments';

/** `/environments`: what is deployed where, so "what is in staging now?" has an answer. */
export function EnvironmentsPage() {
  const { items, error, live } = useEnvironments();
  const [project, setProject] = useState('');
  const now = useNow(true, 15_000);

  const groups = useMemo(() => {
    const out = new Map<string, EnvironmentSummary[]>();
    for (const item of items ?? []) {
      if (project !== '' && !item.project.path.toLowerCase().includes(project.toLowerCase())) continue;
      const list = out.get(item.environment) ?? [];
      list.push(item);
      out.set(item.environment, list);
    }
    return [...out.entries()];
  }, [items, project]);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Environments</h1>
        <LiveDot state={live} />
        <label class="field inline-field">
          <span class="sr-only">Project</span>
          <input
            type="search"
            placeholder="Filter projects"
            value={project}
            onInput={(e) => setProject((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      {error !== undefined && (
        <div class="alert" role="alert">
          {error.message}
        </div>
      )}
      {items === undefined && error === undefined && (
        <div class="panel empty muted">Loading environments…</div>
      )}
      {items !== undefined && groups.length === 0 && (
        <div class="panel empty">
          <p>
            <strong>Nothing deployed yet.</strong>
          </p>
          <p class="muted">Each environment shows up here with its first pipeline.</p>
        </div>
      )}
      {groups.map(([environment, list]) => (
        <section key={environment} class="env-section" data-environment={environment}>
          <h2 class="env-title">
            <span class="env-chip big">{environment}</span>
            <span class="muted">
              {list.length} {list.length === 1 ? 'project' : 'projects'}
            </span>
            <Link class="audit-link" href={`/deployments?environment=${encodeURIComponent(environment)}`}>
              Deployment history
            </Link>
          </h2>
          <div class="env-grid">
            {list.map((item) => (
              <EnvironmentCard key={`${item.project.id}`} item={item} now={now} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
