import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { authFileArchive } from './auth-archive.js';
import { authFileJson } from './auth-file.js';

async function entries(tar: Buffer) {
  const out: { name: string; type: string; mode: number; uid: number; body: string }[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(Buffer.from(c as Uint8Array)));
    stream.on('end', () => {
      out.push({
        name: header.name,
        type: header.type ?? '',
        mode: header.mode ?? -1,
        uid: header.uid ?? -1,
        body: Buffer.concat(parts).toString('utf8'),
      });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return out;
}

describe('authFileArchive', () => {
  it('holds the auth file at /run/ferry/registry/auth.json, root-owned, 0400 in a 0700 directory', async () => {
    const json = authFileJson('127.0.0.1:5000', 'ci', 'pw-123');
    const list = await entries(await authFileArchive(json));
    expect(list.map((e) => [e.name, e.type, e.mode.toString(8), e.uid])).toEqual([
      ['run/', 'directory', '755', 0],
      ['run/ferry/', 'directory', '755', 0],
      ['run/ferry/registry/', 'directory', '700', 0],
      ['run/ferry/registry/auth.json', 'file', '400', 0],
    ]);
    expect(list.at(-1)?.body).toBe(json);
  });
});
