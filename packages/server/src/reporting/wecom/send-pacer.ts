/** WeCom's documented limit: 20 messages per minute per bot. */
export const WECOM_MESSAGES_PER_WINDOW = 20;
export const WECOM_WINDOW_MS = 60_000;

export type PaceDecision = { action: 'send'; mode: 'single' | 'digest' } | { action: 'wait'; ms: number };

export interface PaceInput {
  now: number;
  /** When messages were sent to this bot (any order; older than the window are ignored). */
  sentAt: readonly number[];
  /** Items waiting for this bot. */
  queued: number;
  limit?: number;
  windowMs?: number;
}

/**
 * When and how to send to one bot without passing its per-minute limit, never dropping anything.
 * While more than half the window's budget is left, each item goes alone as soon as it comes.
 * Past that, messages are spaced (window / limit apart) and each carries everything queued (a
 * digest), so a burst of any size needs only a few messages. A full window waits for its oldest
 * send to age out.
 */
export function paceSend(input: PaceInput): PaceDecision {
  const limit = input.limit ?? WECOM_MESSAGES_PER_WINDOW;
  const windowMs = input.windowMs ?? WECOM_WINDOW_MS;
  const recent = input.sentAt.filter((t) => t > input.now - windowMs).sort((a, b) => a - b);
  if (recent.length >= limit) {
    const oldest = recent[recent.length - limit] as number;
    return { action: 'wait', ms: Math.max(1, oldest + windowMs - input.now + 1) };
  }
  const free = limit - recent.length;
  if (free > limit / 2) return { action: 'send', mode: 'single' };
  const gap = Math.ceil(windowMs / limit);
  const last = recent[recent.length - 1];
  if (last !== undefined && input.now - last < gap) return { action: 'wait', ms: gap - (input.now - last) };
  return { action: 'send', mode: input.queued > 1 ? 'digest' : 'single' };
}
