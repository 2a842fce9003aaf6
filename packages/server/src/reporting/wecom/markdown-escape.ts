import { stripVTControlCharacters } from 'node:util';
import { clipChars, oneLine, visibleOnly } from '../plain-text.js';

/**
 * What WeCom's `markdown` gives meaning to, mapped to full-width look-alikes: tags and mentions
 * (`<font>`, `<@userid>`), links (`[text](url)`), bold and code (`*`, `` ` ``), mentions by name
 * (`@all`), entities (`&lt;`). A heading (`#`) starts only a line; user text never starts one
 * except a quoted log line, whose leading `#` is replaced too.
 */
const lookAlike: Readonly<Record<string, string>> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '*': '＊',
  '`': '｀',
  '@': '＠',
  '&': '＆',
};
const special = /[<>[\]*`@&]/g;

/**
 * User-controlled text (commit titles, branch names, user names, log lines) made inert in a WeCom
 * `markdown` message: one line, at most `maxChars` characters, no markup, no mention, and no
 * bare URL a client would turn into a link (`://` and `www.` are broken with a zero-width space).
 */
export function escapeMarkdown(text: string, maxChars: number): string {
  const clipped = clipChars(oneLine(text), maxChars);
  return defuse(clipped.replace(special, (c) => lookAlike[c] ?? c));
}

/** Same as escapeMarkdown for a log line: leading blanks kept (indentation reads), terminal codes (colours, cursor moves, links) dropped. */
export function escapeLogLine(text: string, maxChars: number): string {
  const line = visibleOnly(stripVTControlCharacters(text))
    .replace(/[\r\n\t]/g, ' ')
    .trimEnd();
  const inert = clipChars(line, maxChars).replace(special, (c) => lookAlike[c] ?? c);
  return defuse(inert.replace(/^(\s*)#/, '$1＃'));
}

/**
 * Plain text for a `text` message (alerts): it has no markup, but mentions are kept out too
 * (`@all` typed in a commit title must not look like one).
 */
export function escapePlain(text: string, maxChars: number): string {
  return clipChars(oneLine(text), maxChars).replace(/@/g, '＠');
}

function defuse(text: string): string {
  return text.replace(/:\/\//g, ':/\u200b/').replace(/www\./gi, (w) => `${w.slice(0, 3)}\u200b.`);
}

/** A URL safe inside `[text](url)`: http(s) only, with what could end the link percent-encoded. */
export function markdownUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return parsed.href.replace(
    /[()<>[\]\s"'`]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A WeCom user id usable in `<@userid>` (from configuration), or undefined. */
export function mentionTag(userId: string | undefined): string | undefined {
  // WeCom user ids: 1–64 bytes of digits, letters and `_ - @ .`, starting with a digit or a letter
  // (WeCom "通讯录管理 › 创建成员": userid). Anything else cannot be a user and is not sent.
  return userId !== undefined && /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(userId)
    ? `<@${userId}>`
    : undefined;
}
