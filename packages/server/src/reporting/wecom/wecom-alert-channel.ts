import type { Alert } from '../../alerts/alert.js';
import type { AlertChannel } from '../../alerts/alert-channel.js';
import type { OutboxQueue } from '../outbox/outbox-queue.js';
import { botsFor } from './bot-routing.js';
import type { WeComBot } from './wecom-bot.js';
import type { WeComItem } from './wecom-item.js';

export interface WeComAlertChannelOptions {
  queue: OutboxQueue;
  bots: readonly WeComBot[];
  /** `alerts.bots`: bots that get every alert; empty means every bot gets alerts not about a pipeline. */
  alertBots: readonly string[];
  /** Items were queued: the sender (if this replica sends) looks at once. */
  wake(): void;
}

/**
 * Alerts into the WeCom bots' outbox queues, so they share each bot's per-minute budget and
 * survive a restart. An alert about a pipeline goes to the bots of that pipeline and to
 * `alerts.bots`; others go to `alerts.bots`, or to every bot when that list is empty.
 */
export class WeComAlertChannel implements AlertChannel {
  readonly #o: WeComAlertChannelOptions;

  constructor(options: WeComAlertChannelOptions) {
    this.#o = options;
  }

  /** The bots an alert goes to. */
  botsOf(alert: Alert): string[] {
    const named = new Set(this.#o.alertBots);
    const listed = this.#o.bots.filter((bot) => named.has(bot.name)).map((bot) => bot.name);
    if (alert.kind === 'reporter_failing') {
      return named.size === 0 ? this.#o.bots.map((bot) => bot.name) : listed;
    }
    const project = { id: alert.pipeline.projectId, path: alert.pipeline.project };
    const own = botsFor(this.#o.bots, {
      project: { ...project, webUrl: '', cloneUrl: '' },
      environment: alert.pipeline.environment,
    }).map((bot) => bot.name);
    return [...new Set([...own, ...listed])];
  }

  async post(alert: Alert, signal: AbortSignal): Promise<void> {
    const item: WeComItem = { type: 'alert', alert };
    for (const bot of this.botsOf(alert)) {
      if (signal.aborted) return;
      await this.#o.queue.push('wecom', bot, item);
    }
    this.#o.wake();
  }
}
