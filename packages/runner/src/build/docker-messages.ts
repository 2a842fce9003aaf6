/** One JSON message of the engine's build, pull and push streams. */
export interface DockerMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
}

/**
 * Newline-delimited JSON messages from stream chunks that may split or join them. A line that is
 * not JSON is passed on as `stream` text, so nothing the engine says is lost. Pure.
 */
export class DockerMessages {
  #pending = '';

  push(chunk: string): DockerMessage[] {
    const parts = (this.#pending + chunk).split('\n');
    this.#pending = parts.pop() ?? '';
    return parts.flatMap((line) => parseLine(line));
  }

  end(): DockerMessage[] {
    const rest = this.#pending;
    this.#pending = '';
    return parseLine(rest);
  }
}

function parseLine(line: string): DockerMessage[] {
  const text = line.trim();
  if (text === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return [parsed as DockerMessage];
  } catch {
    // Not JSON: keep it as output.
  }
  return [{ stream: `${line}\n` }];
}

/** The error a message reports in-stream (the HTTP status stays 200), or undefined. */
export function messageError(message: DockerMessage): string | undefined {
  const text = message.errorDetail?.message ?? message.error;
  return text === undefined || text === '' ? undefined : text.trim();
}
