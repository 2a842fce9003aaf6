import { FerryError, type Logger, type PipelineRecord, ReportingErrors } from '@ferry/shared';
import type { LogStore } from '../../logs/log-store.js';
import type { Clock } from '../clock.js';
import type { Delivery, DeliveryResult, Reporter, Transition } from '../reporter.js';
import { deployingMark } from '../reporting-keys.js';
import type { ReportingMetrics } from '../reporting-metrics.js';
import { botsFor } from './bot-routing.js';
import type { BotStates } from './bot-states.js';
import { failedLogKey, readLogExcerpt } from './log-tail.js';
import { buildNotice, type Notice, noticeKindFor } from './notice.js';
import type { OnceMarks } from './once-marks.js';
import { renderAlertText } from './render-alert.js';
import { renderDigest } from './render-digest.js';
import { renderNotice } from './render-notice.js';
import { paceSend, WECOM_WINDOW_MS } from './send-pacer.js';
import type { SendWindow } from './send-window.js';
import { budgetOf, type WeComBot } from './wecom-bot.js';
import {
  WECOM_FREQ_OUT_OF_LIMIT,
  WECOM_INVALID_WEBHOOK_URL,
  WECOM_OK,
  WECOM_SYSTEM_BUSY,
  type WeComBotClient,
  type WeComMessageBody,
} from './wecom-bot-client.js';
import { isWeComItem, type WeComItem } from './wecom-item.js';

/** Transitions older than this when planned are not told to WeCom groups. */
export const STALE_AFTER_MS = 6 * 3600_000;

export interface WeComReporterOptions {
  bots: readonly WeComBot[];
  client: WeComBotClient;
  window: SendWindow;
  /** One `deploying` notice per pipeline, whatever records its deploy's start twice. */
  once: OnceMarks;
  states: BotStates;
  /** GitLab username → WeCom user id (`wecom.mentions`). */
  mentions: Readonly<Record<string, string>>;
  pipelineUrl(pipelineId: string, stage?: string): string;
  logs: LogStore;
  logTailLines: number;
  /** The image tag a pipeline deployed, when something knows it (the resolved plan). */
  imageTag?: (pipeline: PipelineRecord, signal: AbortSignal) => Promise<string | undefined>;
  clock: Clock;
  logger: Logger;
  metrics: ReportingMetrics;
}

/**
 * Tells WeCom groups about pipelines: one queue per bot, paced under WeCom's 20 messages a minute
 * by sending single messages while the minute's budget is ample and digests of everything queued
 * when it is not. Nothing is dropped except for a bot whose key WeCom does not know (93000).
 */
export class WeComReporter implements Reporter<WeComItem> {
  readonly name = 'wecom';
  readonly #o: WeComReporterOptions;
  readonly #bots: ReadonlyMap<string, WeComBot>;

  constructor(options: WeComReporterOptions) {
    this.#o = options;
    this.#bots = new Map(options.bots.map((bot) => [bot.name, bot]));
  }

  async plan(
    transition: Transition,
    pipeline: PipelineRecord,
    signal: AbortSignal,
  ): Promise<Delivery<WeComItem>[]> {
    const kind = noticeKindFor(transition, pipeline);
    if (kind === undefined) return [];
    // A backlog planned long after the fact (reporting was off, or Ferry down for hours) would
    // only flood the group with news from the past; GitLab statuses are still sent.
    const age = Date.now() - Date.parse(transition.at);
    if (age > STALE_AFTER_MS) {
      this.#o.logger.info(
        { pipelineId: pipeline.id, kind, ageMs: age },
        'wecom: not telling about an old transition',
      );
      return [];
    }
    const bots = botsFor(this.#o.bots, pipeline).filter((bot) => !this.#o.states.isDisabled(bot.name));
    if (bots.length === 0) return [];
    const failedStage = pipeline.stages.find((s) => s.status === 'failed');
    const excerpt =
      (kind === 'failed' || kind === 'rolled_back') && failedStage !== undefined
        ? await readLogExcerpt(
            this.#o.logs,
            pipeline.id,
            failedLogKey(failedStage),
            this.#o.logTailLines,
            signal,
          )
        : undefined;
    if (kind === 'deploying' && !(await this.#o.once.first(deployingMark(pipeline.id)))) return [];
    // The image the build stage recorded on the pipeline; else what the configured lookup says.
    const imageTag =
      kind !== 'succeeded'
        ? undefined
        : (pipeline.image?.tags[0] ??
          (this.#o.imageTag === undefined
            ? undefined
            : await this.#o.imageTag(pipeline, signal).catch(() => undefined)));
    const mention = this.#o.mentions[pipeline.user.username];
    const notice = buildNotice(kind, transition, pipeline, {
      url: this.#o.pipelineUrl(pipeline.id),
      stageUrl: (stage) => this.#o.pipelineUrl(pipeline.id, stage),
      ...(excerpt === undefined ? {} : { logTail: excerpt.tail }),
      ...(excerpt?.firstError === undefined ? {} : { firstError: excerpt.firstError }),
      ...(imageTag === undefined ? {} : { imageTag }),
      ...(mention === undefined ? {} : { mention }),
    });
    return bots.map((bot) => ({ channel: bot.name, item: { type: 'notice', notice } }));
  }

  async deliver(channel: string, items: readonly WeComItem[], signal: AbortSignal): Promise<DeliveryResult> {
    const { logger, metrics } = this.#o;
    const bot = this.#bots.get(channel);
    if (bot === undefined || this.#o.states.isDisabled(channel)) {
      metrics.send(this.name, 'dropped');
      logger.debug({ bot: channel, count: items.length }, 'wecom: dropped messages for a bot not sent to');
      return { kind: 'failed', count: items.length, reason: `bot ${channel} is not sent to` };
    }
    if (!isWeComItem(items[0])) {
      return { kind: 'failed', count: 1, reason: 'an unreadable queued message' };
    }
    const now = this.#o.clock.now();
    const notices: Notice[] = [];
    for (const item of items) {
      if (!isWeComItem(item) || item.type !== 'notice') break;
      notices.push(item.notice);
    }
    const sentAt = await this.#o.window.recent(budgetOf(bot), now);
    const pace = paceSend({ now, sentAt, queued: Math.max(1, notices.length) });
    if (pace.action === 'wait') return { kind: 'wait', afterMs: pace.ms };

    let body: WeComMessageBody;
    let count = 1;
    const head = items[0] as WeComItem;
    if (head.type === 'alert') {
      body = { msgtype: 'text', text: { content: renderAlertText(head.alert, bot.language) } };
    } else if (pace.mode === 'digest' && notices.length > 1) {
      const digest = renderDigest(notices, bot.language);
      body = { msgtype: 'markdown', markdown: { content: digest.content } };
      count = digest.count;
    } else {
      body = { msgtype: 'markdown', markdown: { content: renderNotice(head.notice, bot.language) } };
    }

    let answer: { errcode: number; errmsg: string };
    try {
      answer = await this.#o.client.send(bot.key, body, signal);
    } catch (err) {
      metrics.send(this.name, 'retry');
      return { kind: 'retry', afterMs: 0, reason: `bot ${bot.name}: ${(err as Error).message}` };
    }
    switch (answer.errcode) {
      case WECOM_OK:
        await this.#o.window.record(budgetOf(bot), now);
        metrics.send(this.name, 'sent');
        return { kind: 'done', count };
      case WECOM_FREQ_OUT_OF_LIMIT: {
        // WeCom counts differently than we thought (another sender on this key?): wait a window.
        metrics.send(this.name, 'rate_limited');
        logger.info({ bot: bot.name }, 'wecom: rate limited (45009); retrying later');
        const oldest = sentAt.length > 0 ? Math.min(...sentAt) : now;
        return { kind: 'wait', afterMs: Math.max(5_000, oldest + WECOM_WINDOW_MS - now) };
      }
      case WECOM_INVALID_WEBHOOK_URL: {
        metrics.send(this.name, 'bad_key');
        if (this.#o.states.disable(bot.name)) {
          const error = new FerryError(ReportingErrors.WECOM_BAD_KEY, { bot: bot.name });
          logger.error({ code: error.code, bot: bot.name }, error.message);
        }
        return { kind: 'failed', count: items.length, reason: `bot ${bot.name}: invalid key (93000)` };
      }
      case WECOM_SYSTEM_BUSY:
        metrics.send(this.name, 'retry');
        return { kind: 'retry', afterMs: 0, reason: `bot ${bot.name}: system busy (-1)` };
      default: {
        metrics.send(this.name, 'rejected');
        const error = new FerryError(ReportingErrors.WECOM_REJECTED, {
          bot: bot.name,
          errcode: answer.errcode,
          errmsg: answer.errmsg.slice(0, 200),
        });
        logger.error({ code: error.code, bot: bot.name, errcode: answer.errcode }, error.message);
        return { kind: 'failed', count, reason: error.message };
      }
    }
  }
}
