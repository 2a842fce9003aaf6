import type { Pipeline, RenderedManifest } from '../../api/types';

function title(m: RenderedManifest, i: number): string {
  const name = [m.kind, m.namespace === undefined ? m.name : `${m.namespace}/${m.name ?? ''}`]
    .filter(Boolean)
    .join(' ');
  return name === '' ? `Object ${i + 1}` : name;
}

/** The Kubernetes objects the change-pod stage rendered and applied. Shown once the record has them. */
export function ManifestsPanel({ pipeline }: { pipeline: Pipeline }) {
  const m = pipeline.manifests;
  if (m === undefined || (Array.isArray(m) && m.length === 0)) return null;
  return (
    <section class="panel manifests" aria-label="Rendered manifests" data-testid="manifests">
      <h3>Rendered manifests</h3>
      {typeof m === 'string' ? (
        <pre class="yaml">{m}</pre>
      ) : (
        m.map((item, i) => (
          <details key={i} class="manifest">
            <summary>
              <span class="mono">{title(item, i)}</span>
              {item.action !== undefined && <span class="chip">{item.action}</span>}
            </summary>
            <pre class="yaml">{item.yaml ?? JSON.stringify(item, null, 2)}</pre>
          </details>
        ))
      )}
    </section>
  );
}
