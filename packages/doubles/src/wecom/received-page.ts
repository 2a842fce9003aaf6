import { escapeHtml, receivedPage, table, timeText } from '../pages/html.js';
import type { DeliveredMessage } from './wecom-double.js';

/** The text a message carries: its content, or the type's body as JSON for the other types. */
function messageText(m: DeliveredMessage): string {
  return m.content ?? JSON.stringify(m.body[m.msgtype] ?? null, null, 2);
}

/**
 * What the WeCom group-bot double accepted, as the group would read it: newest first, with the
 * message type, the bot (its key shortened: a key is a credential) and the text. Pure.
 */
export function wecomReceivedPage(messages: readonly DeliveredMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map((m) => [
      escapeHtml(timeText(new Date(m.receivedAt))),
      `<code>${escapeHtml(`${m.key.slice(0, 4)}…`)}</code>`,
      escapeHtml(m.msgtype),
      escapeHtml(m.mentions.join(', ')),
      `<pre>${escapeHtml(messageText(m))}</pre>`,
    ]);
  return receivedPage('WeCom group bot double', [
    {
      heading: 'Messages',
      html: table(['at (UTC)', 'bot', 'type', 'mentions', 'text'], rows, 'No message received yet.'),
    },
  ]);
}
