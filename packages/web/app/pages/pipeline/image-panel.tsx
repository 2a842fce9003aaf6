import type { ImageInfo, Pipeline } from '../../api/types';

function parts(image: ImageInfo | string): Array<[string, string]> {
  if (typeof image === 'string') return [['Image', image]];
  const out: Array<[string, string]> = [];
  if (image.repository !== undefined) out.push(['Repository', image.repository]);
  if (image.tag !== undefined) out.push(['Tag', image.tag]);
  if (image.reference !== undefined) out.push(['Reference', image.reference]);
  if (image.tags !== undefined && image.tags.length > 0) out.push(['Tags', image.tags.join(', ')]);
  if (image.digest !== undefined) out.push(['Digest', image.digest]);
  if (out.length === 0 && image.ref !== undefined) out.push(['Image', image.ref]);
  return out;
}

/** The image built and deployed (tag and digest map every running pod to one commit). Shown once the record has it. */
export function ImagePanel({ pipeline }: { pipeline: Pipeline }) {
  if (pipeline.image === undefined) return null;
  const rows = parts(pipeline.image);
  if (rows.length === 0) return null;
  return (
    <section class="side-card" aria-label="Image" data-testid="image">
      <h3>Image</h3>
      <dl class="kv">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd class="mono" title={v}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
