import type { Language } from '../duration-text.js';
import type { Notice } from './notice.js';
import { renderDigestLine } from './render-notice.js';
import { MARKDOWN_MAX_BYTES, truncateUtf8, utf8Bytes } from './utf8.js';
import { wordingFor } from './wording.js';

/** Longest single line of a digest, in bytes. */
const LINE_MAX_BYTES = 700;

/**
 * Several notices in one `markdown` message, oldest first, as many as fit `maxBytes` (at least
 * one). `count` says how many it holds; the rest stay queued for the next message.
 */
export function renderDigest(
  notices: readonly Notice[],
  language: Language,
  maxBytes = MARKDOWN_MAX_BYTES,
): { content: string; count: number } {
  const w = wordingFor(language);
  // The header's number has at most as many digits as notices.length.
  const headerBytes = utf8Bytes(`**${w.digest(notices.length)}**\n`);
  const lines: string[] = [];
  let used = headerBytes;
  for (const notice of notices) {
    const line = renderDigestLine(notice, language, LINE_MAX_BYTES);
    const size = utf8Bytes(line) + 1;
    if (lines.length > 0 && used + size > maxBytes) break;
    lines.push(line);
    used += size;
  }
  const content = [`**${w.digest(lines.length)}**`, ...lines].join('\n');
  return { content: truncateUtf8(content, maxBytes), count: lines.length };
}
