import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { download } from '../../api/client';
import { isTerminal, type Pipeline, type StageRecord, type TestJobRecord } from '../../api/types';
import { StatusIcon, useStatusLabel } from '../../components/status-icon';
import { firstError } from '../../format/log-search';
import type { Translate } from '../../format/time';
import { localeOf, useI18n } from '../../i18n/i18n';
import { type StageLog, stageLogPath, useStageLog } from '../../live/use-stage-log';
import { LogBlock } from './log-lines';
import { useStageTitle } from './stage-steps';

type Mode = 'off' | 'pages' | 'live';

/**
 * Stored pages for an ended stage (or job), the live stream for a running one; once live, live
 * until its end. `key` names what is shown (`test`, `test:unit`).
 */
function useLogMode(stage: StageRecord, key: string): Mode {
  const sticky = useRef<{ name: string; mode: Mode }>({ name: key, mode: 'off' });
  let mode: Mode;
  if (stage.status === 'pending' || (isTerminal(stage.status) && stage.startedAt === undefined)) mode = 'off';
  else if (stage.status === 'running') mode = 'live';
  else mode = 'pages';
  const prev = sticky.current;
  if (prev.name === key && prev.mode === 'live' && mode === 'pages') mode = 'live';
  sticky.current = { name: key, mode };
  return mode;
}

function usePreference(key: string, initial: boolean): [boolean, (v: boolean) => void] {
  const [value, setValue] = useState(() => {
    try {
      const stored = localStorage.getItem(`ferry.${key}`);
      return stored === null ? initial : stored === '1';
    } catch {
      return initial;
    }
  });
  return [
    value,
    (v: boolean) => {
      setValue(v);
      try {
        localStorage.setItem(`ferry.${key}`, v ? '1' : '0');
      } catch {
        // A preference only.
      }
    },
  ];
}

function emptyText(
  stage: StageRecord,
  pipeline: Pipeline,
  log: StageLog,
  mode: Mode,
  t: Translate,
  title: string,
): string {
  if (mode === 'off') {
    if (stage.status !== 'pending') return t('log.didNotRun', { stage: title });
    if (stage.name === 'deploy' && pipeline.status === 'waiting_approval') return t('log.waitsApproval');
    return isTerminal(pipeline.status)
      ? t('log.didNotRun', { stage: title })
      : t('log.waitingStart', { stage: title.toLowerCase() });
  }
  if (log.error !== undefined) return t('log.loadFailed', { error: log.error });
  if (!log.done && mode === 'live') return t('log.waitingOutput');
  return log.done ? t('log.noOutput') : t('log.loading');
}

/** A named test job as the log panel shows it: the stage's record with the job's state. */
function asStage(stage: StageRecord, job: TestJobRecord): StageRecord {
  const { reason, startedAt, finishedAt } = job;
  return {
    name: stage.name,
    status: job.status,
    attempts: stage.attempts,
    ...(reason === undefined ? {} : { reason }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/** The log of a stage, or with `job` (the test stage's named jobs) of that job. */
export function LogPanel({
  pipeline,
  stage: stageRecord,
  job,
}: {
  pipeline: Pipeline;
  stage: StageRecord;
  job?: TestJobRecord | undefined;
}) {
  const stage = job === undefined ? stageRecord : asStage(stageRecord, job);
  const key = job === undefined ? stage.name : `${stage.name}:${job.name}`;
  const mode = useLogMode(stage, key);
  const statusLabel = useStatusLabel();
  const { t, language } = useI18n();
  const stageTitle = useStageTitle();
  const log = useStageLog(pipeline.id, stage.name, mode, job?.name);
  const [timestamps, setTimestamps] = usePreference('log.timestamps', false);
  const [follow, setFollow] = useState(true);
  const [highlight, setHighlight] = useState<number | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const box = useRef<HTMLDivElement>(null);
  const autoScrolling = useRef(false);

  useEffect(() => {
    setFollow(true);
    setHighlight(undefined);
    setNotice(undefined);
  }, [pipeline.id, key]);

  // Following: keep the newest line in view as lines arrive.
  useLayoutEffect(() => {
    const el = box.current;
    if (!follow || el === null) return;
    autoScrolling.current = true;
    el.scrollTop = el.scrollHeight;
    requestAnimationFrame(() => {
      autoScrolling.current = false;
    });
  }, [log.count, follow, timestamps]);

  const onScroll = () => {
    const el = box.current;
    if (el === null || autoScrolling.current) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const jumpToError = () => {
    const found = firstError(log.blocks.flat());
    if (found === undefined) {
      setNotice(t('log.noError'));
      return;
    }
    setNotice(undefined);
    setFollow(false);
    setHighlight(found.n);
    // Scroll the log only, not the page: the header and the actions stay where they are.
    requestAnimationFrame(() => {
      const el = box.current;
      const row = el?.querySelector<HTMLElement>(`[data-n="${found.n}"]`);
      if (el && row) el.scrollTop = row.offsetTop - el.clientHeight / 2;
    });
  };

  const downloadRaw = () =>
    download(
      `${stageLogPath(pipeline.id, stage.name, job?.name)}format=text`,
      `${pipeline.id}-${key.replace(':', '-')}.log`,
    ).catch((err: Error) => setNotice(t('log.downloadFailed', { error: err.message })));

  const hasLines = log.count > 0;
  const title = job === undefined ? stageTitle(stage.name) : `${stageTitle(stage.name)}: ${job.name}`;
  return (
    <section class="log-panel" aria-label={t('log.label', { stage: title })} data-log={key}>
      <div class="log-toolbar">
        <div class={`log-title st-${stage.status}`}>
          <StatusIcon status={stage.status} size={16} />
          <strong>{title}</strong>
          <span class="muted">{statusLabel(stage.status)}</span>
          {hasLines && (
            <span class="muted log-count">
              {t('log.lines', { n: log.count.toLocaleString(localeOf(language)) })}
            </span>
          )}
          {mode === 'live' && log.streaming && stage.status === 'running' && (
            <span class="live live-live">
              <span class="live-dot" aria-hidden="true" />
              {t('log.streaming')}
            </span>
          )}
        </div>
        <div class="log-tools">
          <button
            type="button"
            class="tool"
            aria-pressed={timestamps}
            onClick={() => setTimestamps(!timestamps)}
          >
            {t('log.timestamps')}
          </button>
          <button
            type="button"
            class="tool"
            aria-pressed={follow}
            onClick={() => setFollow(!follow)}
            title={t('log.followTitle')}
          >
            {t('log.follow')}
          </button>
          <button type="button" class="tool" onClick={jumpToError} disabled={!hasLines}>
            {t('log.firstError')}
          </button>
          <button type="button" class="tool" onClick={downloadRaw} disabled={mode === 'off'}>
            {t('log.download')}
          </button>
        </div>
      </div>
      {notice !== undefined && <div class="log-notice">{notice}</div>}
      {stage.reason !== undefined && isTerminal(stage.status) && stage.status !== 'success' && (
        <div class={`log-reason st-${stage.status}`}>{stage.reason}</div>
      )}
      <div class="log-box" ref={box} onScroll={onScroll} role="log" aria-live="off">
        {hasLines ? (
          log.blocks.map((lines, i) => {
            const first = lines[0]?.n ?? 0;
            const last = lines.at(-1)?.n ?? 0;
            return (
              <LogBlock
                key={first}
                lines={lines}
                before={i === 0 ? undefined : log.blocks[i - 1]?.at(-1)?.n}
                timestamps={timestamps}
                droppedBytes={log.droppedBytes}
                highlight={
                  highlight !== undefined && highlight >= first && highlight <= last ? highlight : undefined
                }
              />
            );
          })
        ) : (
          <div class="log-empty">{emptyText(stage, pipeline, log, mode, t, title)}</div>
        )}
      </div>
    </section>
  );
}
