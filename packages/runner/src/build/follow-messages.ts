import type { Readable } from 'node:stream';
import { type DockerMessage, DockerMessages } from './docker-messages.js';

/**
 * Reads an engine stream to its end, handing each message to `onMessage` as it arrives. The
 * stream is destroyed when `signal` aborts and in every case when this returns.
 */
export async function followMessages(
  stream: NodeJS.ReadableStream,
  onMessage: (message: DockerMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const readable = stream as Readable;
  const decoder = new TextDecoder();
  const messages = new DockerMessages();
  const abort = () => readable.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', abort, { once: true });
  try {
    signal.throwIfAborted();
    for await (const chunk of readable) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      for (const message of messages.push(text)) onMessage(message);
    }
    for (const message of messages.push(decoder.decode())) onMessage(message);
    for (const message of messages.end()) onMessage(message);
  } finally {
    signal.removeEventListener('abort', abort);
    readable.destroy();
  }
}
