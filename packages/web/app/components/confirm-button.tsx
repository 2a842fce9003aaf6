import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n';

interface Props {
  label: string;
  /** Class of the button: `btn-primary`, `btn-danger`, … */
  tone?: string;
  disabled?: boolean;
  /** Why it is disabled, shown as the tooltip. */
  reason?: string | undefined;
  /** The question; without it the action runs at once. */
  confirm?: { title: string; body: ComponentChildren; action: string };
  onRun(): Promise<void>;
  testId?: string;
}

/** An action button, with a confirmation dialog for what cannot be undone. */
export function ConfirmButton({ label, tone = '', disabled, reason, confirm, onRun, testId }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const { t } = useI18n();
  const run = async () => {
    setBusy(true);
    try {
      await onRun();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  const button = (
    <button
      type="button"
      class={`btn ${tone}`}
      disabled={disabled || busy}
      title={reason}
      aria-disabled={disabled}
      data-action={testId}
      onClick={() => (confirm === undefined ? void run() : dialog.current?.showModal())}
    >
      {busy ? `${label}…` : label}
    </button>
  );
  return (
    <>
      {/* A disabled button gets no pointer events: the wrapper carries the reason as its tooltip. */}
      {disabled && reason !== undefined ? (
        <span class="tip-wrap" title={reason}>
          {button}
        </span>
      ) : (
        button
      )}
      {confirm !== undefined && (
        <dialog ref={dialog} class="dialog" aria-label={confirm.title}>
          <h2>{confirm.title}</h2>
          <div class="muted">{confirm.body}</div>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => dialog.current?.close()} disabled={busy}>
              {t('confirm.keep')}
            </button>
            <button
              type="button"
              class={`btn ${tone}`}
              onClick={() => void run()}
              disabled={busy}
              data-confirm={testId}
            >
              {busy ? `${confirm.action}…` : confirm.action}
            </button>
          </div>
        </dialog>
      )}
    </>
  );
}
