import type { ComponentChildren } from 'preact';
import type { PipelineStatus, StageStatus } from '../api/types';
import { useI18n } from '../i18n/i18n';

export type AnyStatus = PipelineStatus | StageStatus;

/** English labels; components use useStatusLabel() for the page's language. */
export const statusLabel: Record<AnyStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  waiting_approval: 'Awaiting approval',
  success: 'Succeeded',
  failed: 'Failed',
  canceled: 'Canceled',
  skipped: 'Skipped',
  pending: 'Pending',
};

function Glyph({ size, spin, children }: { size: number; spin: boolean; children: ComponentChildren }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      aria-hidden="true"
      class={`status-icon${spin ? ' spin' : ''}`}
    >
      {children}
    </svg>
  );
}

/** A small glyph per status; colour comes from the `st-<status>` class of the parent. */
export function StatusIcon({ status, size = 16 }: { status: AnyStatus; size?: number }) {
  const spin = status === 'running';
  switch (status) {
    case 'success':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path
            d="M4.8 8.3l2.1 2.1 4.3-4.6"
            stroke="#fff"
            stroke-width="1.8"
            fill="none"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </Glyph>
      );
    case 'failed':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M5.5 5.5l5 5m0-5l-5 5" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
        </Glyph>
      );
    case 'running':
      return (
        <Glyph size={size} spin={spin}>
          <circle
            cx="8"
            cy="8"
            r="6"
            stroke="currentColor"
            stroke-opacity="0.25"
            stroke-width="2.2"
            fill="none"
          />
          <path
            d="M8 2a6 6 0 0 1 6 6"
            stroke="currentColor"
            stroke-width="2.2"
            fill="none"
            stroke-linecap="round"
          />
        </Glyph>
      );
    case 'waiting_approval':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M6.3 5v6m3.4-6v6" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
        </Glyph>
      );
    case 'queued':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="6.2" stroke="currentColor" stroke-width="1.6" fill="none" />
          <path
            d="M8 4.6V8l2.3 1.5"
            stroke="currentColor"
            stroke-width="1.6"
            fill="none"
            stroke-linecap="round"
          />
        </Glyph>
      );
    case 'canceled':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="6.2" stroke="currentColor" stroke-width="1.6" fill="none" />
          <path d="M4 12L12 4" stroke="currentColor" stroke-width="1.6" />
        </Glyph>
      );
    case 'skipped':
      return (
        <Glyph size={size} spin={spin}>
          <circle cx="8" cy="8" r="6.2" stroke="currentColor" stroke-width="1.6" fill="none" />
          <path
            d="M6 5.5L8.5 8 6 10.5M9 5.5L11.5 8 9 10.5"
            stroke="currentColor"
            stroke-width="1.4"
            fill="none"
          />
        </Glyph>
      );
    default:
      return (
        <Glyph size={size} spin={spin}>
          <circle
            cx="8"
            cy="8"
            r="6.2"
            stroke="currentColor"
            stroke-width="1.6"
            stroke-dasharray="2.4 2"
            fill="none"
          />
        </Glyph>
      );
  }
}

/** The label of a status in the page's language. */
export function useStatusLabel(): (status: AnyStatus) => string {
  const { t } = useI18n();
  return (status) => t(`status.${status}`);
}

export function StatusBadge({ status }: { status: AnyStatus }) {
  const label = useStatusLabel();
  return (
    <span class={`badge st-${status}`} data-status={status}>
      <StatusIcon status={status} size={14} />
      {label(status)}
    </span>
  );
}
