import { createHash } from 'node:crypto';
import type { Secret } from '@ferry/shared';
import type { Language } from '../duration-text.js';
import type { BotFilter } from './bot-routing.js';

/** A configured group bot (`wecom.bots[]`), its language resolved. */
export interface WeComBot extends BotFilter {
  key: Secret;
  language: Language;
}

/** The bots of a configuration, each with its language (its own, else `wecom.language`). */
export function botsFromConfig(wecom: {
  bots: ReadonlyArray<{
    name: string;
    key: Secret;
    projects: string[];
    environments: string[];
    language?: Language | undefined;
  }>;
  language: Language;
}): WeComBot[] {
  return wecom.bots.map((bot) => ({
    name: bot.name,
    key: bot.key,
    projects: bot.projects,
    environments: bot.environments,
    language: bot.language ?? wecom.language,
  }));
}

/**
 * The send budget a bot draws on: WeCom limits each webhook key to 20 messages a minute, so bots
 * configured with the same key share one budget. A digest, never the key itself.
 */
export function budgetOf(bot: WeComBot): string {
  return createHash('sha256').update(bot.key.reveal()).digest('hex').slice(0, 24);
}
