import { Fragment } from 'preact';
import { memo } from 'preact/compat';
import type { LogLine } from '../../api/types';
import { AnsiText } from '../../components/ansi-text';
import { clock } from '../../format/time';
import { useI18n } from '../../i18n/i18n';

function mb(bytes: number): string {
  return bytes >= 1_048_576
    ? `${(bytes / 1_048_576).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Where the middle of a long log was dropped (the head and the tail are kept). */
export function DropMarker({ droppedBytes }: { droppedBytes: number }) {
  const { t } = useI18n();
  return (
    <div class="log-gap" data-testid="log-gap">
      <span>
        ⋯ {t('log.dropped', { size: droppedBytes > 0 ? mb(droppedBytes) : t('log.droppedOutput') })} ⋯
      </span>
    </div>
  );
}

interface BlockProps {
  lines: readonly LogLine[];
  /** The last line number of the block before, to see a gap at the boundary. */
  before: number | undefined;
  timestamps: boolean;
  droppedBytes: number;
  /** The highlighted line, when it is in this block. */
  highlight: number | undefined;
}

/** A block of lines; finished blocks keep their props, so appending lines re-renders only the last. */
export const LogBlock = memo(function LogBlock({
  lines,
  before,
  timestamps,
  droppedBytes,
  highlight,
}: BlockProps) {
  let prev = before;
  return (
    <div class="log-block" style={{ containIntrinsicSize: `auto ${lines.length * 20}px` }}>
      {lines.map((line) => {
        const gap = prev !== undefined && line.n > prev + 1;
        prev = line.n;
        return (
          <Fragment key={line.n}>
            {gap && <DropMarker droppedBytes={droppedBytes} />}
            <div class={`ln-row s-${line.s}${highlight === line.n ? ' hl' : ''}`} data-n={line.n}>
              <span class="ln-no" aria-hidden="true">
                {line.n + 1}
              </span>
              {timestamps && <span class="ln-ts">{clock(line.t)}</span>}
              <span class="ln-tx">
                <AnsiText text={line.x} />
              </span>
            </div>
          </Fragment>
        );
      })}
    </div>
  );
});
