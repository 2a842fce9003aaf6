import type { Pipeline, RenderedManifest } from '../../api/types';
import { useI18n } from '../../i18n/i18n';

function title(m: RenderedManifest): string {
  return `${m.kind} ${m.namespace === undefined ? m.name : `${m.namespace}/${m.name}`}`;
}

/**
 * The Kubernetes objects change pod applies, as the server rendered them when the deploy stage
 * started (Secret values redacted). Shown once the record has them.
 */
export function ManifestsPanel({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useI18n();
  const m = pipeline.manifests;
  if (m === undefined || m.length === 0) return null;
  return (
    <section class="panel manifests" aria-label={t('manifests.title')} data-testid="manifests">
      <h3>{t('manifests.title')}</h3>
      {m.map((item, i) => (
        <details key={i} class="manifest">
          <summary>
            <span class="mono">{title(item)}</span>
            {item.action !== undefined && <span class="chip">{item.action}</span>}
          </summary>
          <pre class="yaml">{item.yaml}</pre>
        </details>
      ))}
    </section>
  );
}
