import type { PipelineRecord, StageRecord } from '@ferry/shared';
import { stringify } from 'yaml';

export const outputFormats = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

const stageMark: Record<StageRecord['status'], string> = {
  pending: '·',
  running: '▶',
  success: '✓',
  failed: '✗',
  canceled: '⊘',
  skipped: '-',
};

/** `test✓ build▶ deploy·`. Pure. */
export function stagesCell(p: PipelineRecord): string {
  return p.stages.map((s) => `${s.name}${stageMark[s.status]}`).join(' ');
}

/** How long ago, like kubectl's AGE column: 45s, 12m, 3h, 5d. Pure. */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function row(p: PipelineRecord, wide: boolean, now: number): string[] {
  const cells = [
    p.id,
    p.project.path,
    p.environment,
    p.status,
    stagesCell(p),
    p.sha.slice(0, 8),
    age(p.createdAt, now),
  ];
  if (!wide) return cells;
  return [...cells, p.ref, p.trigger, p.user.username, p.image?.reference ?? '-', p.reason ?? '-'];
}

/** Columns padded to their widest cell, kubectl style. Pure. */
export function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, [...c].length);
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length)))
        .join('   '),
    )
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}

/** Pipelines as `ferry pipelines` and `ferry get` print them. Pure. */
export function formatPipelines(
  items: readonly PipelineRecord[],
  format: OutputFormat,
  now: number,
  single = false,
): string {
  if (format === 'json') return `${JSON.stringify(single ? items[0] : { items }, null, 2)}\n`;
  if (format === 'yaml') return stringify(single ? items[0] : { items });
  const wide = format === 'wide';
  const head = ['ID', 'PROJECT', 'ENVIRONMENT', 'STATUS', 'STAGES', 'COMMIT', 'AGE'];
  const header = wide ? [...head, 'REF', 'TRIGGER', 'BY', 'IMAGE', 'REASON'] : head;
  return table([header, ...items.map((p) => row(p, wide, now))]);
}
