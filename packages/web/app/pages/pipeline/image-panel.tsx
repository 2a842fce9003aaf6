import type { ImageInfo, Pipeline } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages-en';

function parts(image: ImageInfo | string): Array<[MessageKey, string]> {
  if (typeof image === 'string') return [['image.title', image]];
  const out: Array<[MessageKey, string]> = [];
  if (image.repository !== undefined) out.push(['image.repository', image.repository]);
  if (image.tag !== undefined) out.push(['image.tag', image.tag]);
  if (image.reference !== undefined) out.push(['image.reference', image.reference]);
  if (image.tags !== undefined && image.tags.length > 0) out.push(['image.tags', image.tags.join(', ')]);
  if (image.digest !== undefined) out.push(['image.digest', image.digest]);
  if (out.length === 0 && image.ref !== undefined) out.push(['image.title', image.ref]);
  return out;
}

/** The image built and deployed (tag and digest map every running pod to one commit). Shown once the record has it. */
export function ImagePanel({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useI18n();
  if (pipeline.image === undefined) return null;
  const rows = parts(pipeline.image);
  if (rows.length === 0) return null;
  return (
    <section class="side-card" aria-label={t('image.title')} data-testid="image">
      <h3>{t('image.title')}</h3>
      <dl class="kv">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{t(k)}</dt>
            <dd class="mono" title={v}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
