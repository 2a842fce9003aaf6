import type { ReportingMetrics } from '../reporting-metrics.js';

/**
 * Bots Ferry stopped sending to because WeCom said their key is invalid (93000). Kept for the life
 * of the process: a restart (with a fixed key) tries again.
 */
export class BotStates {
  readonly #disabled = new Set<string>();
  readonly #metrics: ReportingMetrics;

  constructor(metrics: ReportingMetrics, bots: readonly string[]) {
    this.#metrics = metrics;
    for (const bot of bots) metrics.botDisabled(bot, false);
  }

  disable(bot: string): boolean {
    if (this.#disabled.has(bot)) return false;
    this.#disabled.add(bot);
    this.#metrics.botDisabled(bot, true);
    return true;
  }

  isDisabled(bot: string): boolean {
    return this.#disabled.has(bot);
  }
}
