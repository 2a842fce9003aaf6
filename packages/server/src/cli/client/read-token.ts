import { text } from 'node:stream/consumers';
import type { CliIo } from './cli-io.js';

/**
 * The token for `ferry login`, never from the command line (it would stay in the shell history and
 * in `ps`): FERRY_TOKEN, else stdin when it is piped (`ferry login URL < token-file`), else a
 * prompt on the terminal that does not echo. Empty: no token (anonymous reads only).
 */
export async function readToken(io: CliIo): Promise<string> {
  if (io.env.FERRY_TOKEN !== undefined && io.env.FERRY_TOKEN !== '') return io.env.FERRY_TOKEN.trim();
  if (io.stdin.isTTY !== true) return (await text(io.stdin)).trim();
  return promptHidden(io, 'API token (input hidden; empty for anonymous reads): ');
}

function promptHidden(io: CliIo, question: string): Promise<string> {
  io.err.write(question);
  const stdin = io.stdin;
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (value: string | Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.err.write('\n');
      if (value instanceof Error) reject(value);
      else resolve(value.trim());
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(typed);
        if (ch === '\u0003') return finish(new Error('login interrupted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
