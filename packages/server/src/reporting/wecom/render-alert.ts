import type { Alert } from '../../alerts/alert.js';
import { durationText, type Language } from '../duration-text.js';
import { escapePlain } from './markdown-escape.js';
import { TEXT_MAX_BYTES, truncateUtf8 } from './utf8.js';

/** An alert as a `text` message (no markup to inject into), ≤ 2048 bytes. */
export function renderAlertText(alert: Alert, language: Language, maxBytes = TEXT_MAX_BYTES): string {
  const zh = language === 'zh';
  const d = (ms: number) => durationText(ms, language);
  const lines: string[] = [];
  switch (alert.kind) {
    case 'runner_pending': {
      const p = alert.pipeline;
      const where = `${escapePlain(p.project, 120)} → ${escapePlain(p.environment, 60)}`;
      lines.push(
        zh
          ? `【Ferry 告警】${alert.stage} 阶段的 runner 已 Pending ${d(alert.pendingMs)}：${where}`
          : `[Ferry alert] The ${alert.stage} runner has been pending for ${d(alert.pendingMs)}: ${where}`,
      );
      if (alert.runner !== undefined)
        lines.push(`${zh ? 'Runner：' : 'Runner: '}${escapePlain(alert.runner, 120)}`);
      if (alert.reason !== undefined)
        lines.push(`${zh ? '原因：' : 'Reason: '}${escapePlain(alert.reason, 400)}`);
      for (const event of (alert.events ?? []).slice(-5)) lines.push(`- ${escapePlain(event, 200)}`);
      lines.push(`${zh ? '流水线：' : 'Pipeline: '}${p.url}`);
      break;
    }
    case 'reporter_failing':
      lines.push(
        zh
          ? `【Ferry 告警】${escapePlain(alert.reporter, 40)} 上报已连续失败 ${d(alert.failingMs)}`
          : `[Ferry alert] Reporting to ${escapePlain(alert.reporter, 40)} has been failing for ${d(alert.failingMs)}`,
      );
      lines.push(`${zh ? '最后的错误：' : 'Last error: '}${escapePlain(alert.lastError, 400)}`);
      lines.push(
        zh
          ? '未发出的状态和消息已排队，恢复后按顺序补发。'
          : 'Unsent statuses and messages are queued and go out in order once it recovers.',
      );
      break;
    case 'queue_wait': {
      const p = alert.pipeline;
      const where = `${escapePlain(p.project, 120)} → ${escapePlain(p.environment, 60)}`;
      lines.push(
        zh
          ? `【Ferry 告警】流水线排队 ${d(alert.waitedMs)} 才开始（目标 ${d(alert.sloMs)} 内）：${where}`
          : `[Ferry alert] A pipeline waited ${d(alert.waitedMs)} to start (objective: ${d(alert.sloMs)}): ${where}`,
      );
      lines.push(`${zh ? '流水线：' : 'Pipeline: '}${p.url}`);
      break;
    }
  }
  if (alert.suppressed > 0) {
    lines.push(
      zh
        ? `（此前还有 ${alert.suppressed} 条同类告警未发送）`
        : `(${alert.suppressed} more like this were held back since the last one)`,
    );
  }
  return truncateUtf8(lines.join('\n'), maxBytes);
}
