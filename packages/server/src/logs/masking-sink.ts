import type { LogSink, LogStream } from './log-sink.js';

const mask = '[masked]';

export interface MaskingSink extends LogSink {
  /** Writes out what is held back (at the end of the stage). */
  flush(): void;
}

/** `text` with every secret value (6+ characters) masked, for texts kept outside the log (test reports). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const value of secrets)
    if (value.length >= 6 && out.includes(value)) out = out.split(value).join(mask);
  return out;
}

/**
 * Masks secret values (6+ characters) before output reaches storage, also when a value is split
 * across chunks: per stream, the last `longest - 1` characters of a chunk are held back until
 * the next chunk (or a newline, or `flush`) shows whether they start a secret.
 */
export function maskingSink(inner: LogSink, secrets: readonly string[]): MaskingSink {
  const values = [...new Set(secrets.filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return { write: (s, c) => inner.write(s, c), flush() {} };
  const hold = Math.max(...values.map((v) => v.length)) - 1;
  const pending = new Map<LogStream, string>();

  const replaceAll = (text: string) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(mask);
    return out;
  };

  return {
    write(stream, chunk) {
      const text = replaceAll((pending.get(stream) ?? '') + chunk);
      // A secret never spans a newline we have seen: everything up to the last newline is safe.
      const lastNewline = text.lastIndexOf('\n');
      let cut = Math.max(lastNewline + 1, text.length - hold);
      // Never cut inside a mask we just wrote: one that straddles the cut starts less than a mask's
      // length before it (searched there only, not back through the whole chunk).
      const maskAt = text.indexOf(mask, Math.max(0, cut - mask.length + 1));
      if (maskAt !== -1 && maskAt < cut) cut = maskAt + mask.length;
      pending.set(stream, text.slice(cut));
      if (cut > 0) inner.write(stream, text.slice(0, cut));
    },
    flush() {
      for (const [stream, text] of pending) if (text.length > 0) inner.write(stream, replaceAll(text));
      pending.clear();
    },
  };
}
