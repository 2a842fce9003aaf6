import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContext } from './context-tar.js';
import { BLOCK, tarHeader } from './tar-header.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('tarHeader', () => {
  it.each([
    ['short name', { name: 'a.txt', type: 'file', mode: 0o644, size: 3, mtime: 1 }, 1],
    ['long name (PAX)', { name: `${'d/'.repeat(60)}file`, type: 'file', mode: 0o644, size: 3, mtime: 1 }, 3],
    ['non-ASCII name (PAX)', { name: 'café.txt', type: 'file', mode: 0o644, size: 3, mtime: 1 }, 3],
  ] as const)('%s takes %i blocks', (_n, entry, blocks) => {
    expect(tarHeader(entry).length).toBe(blocks * BLOCK);
  });
});

describe('buildContext', () => {
  it('archives the context as tar reads it, honouring .dockerignore, links kept as links', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ferry-ctx-'));
    try {
      const ctx = join(root, 'app');
      mkdirSync(join(ctx, 'node_modules/x'), { recursive: true });
      mkdirSync(join(ctx, `${'deep/'.repeat(25)}`), { recursive: true });
      writeFileSync(join(ctx, 'node_modules/x/i.js'), 'x');
      writeFileSync(join(ctx, `${'deep/'.repeat(25)}f.txt`), 'deep');
      writeFileSync(join(ctx, 'index.js'), 'console.log(1)\n');
      writeFileSync(join(ctx, 'debug.log'), 'log');
      writeFileSync(join(ctx, '.dockerignore'), 'node_modules\n*.log\nDockerfile\n');
      writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\n');
      writeFileSync(join(root, 'outside.Dockerfile'), 'FROM scratch\nCOPY index.js /\n');
      symlinkSync('/etc/passwd', join(ctx, 'link'));

      const inside = await buildContext(ctx, join(ctx, 'Dockerfile'), new AbortController().signal);
      expect(inside.dockerfile).toBe('Dockerfile');
      writeFileSync(join(root, 'a.tar'), await collect(inside.tar));
      const listing = execFileSync('tar', ['-tvf', join(root, 'a.tar')], { encoding: 'utf8' });
      const names = execFileSync('tar', ['-tf', join(root, 'a.tar')], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(names).toContain('index.js');
      expect(names).toContain('.dockerignore');
      expect(names).toContain('Dockerfile');
      expect(names).toContain(`${'deep/'.repeat(25)}f.txt`);
      expect(names).not.toContain('debug.log');
      expect(names.some((n) => n.startsWith('node_modules'))).toBe(false);
      expect(listing).toMatch(/link -> \/etc\/passwd/);
      expect(execFileSync('tar', ['-xOf', join(root, 'a.tar'), 'index.js'], { encoding: 'utf8' })).toBe(
        'console.log(1)\n',
      );

      const outside = await buildContext(ctx, join(root, 'outside.Dockerfile'), new AbortController().signal);
      expect(outside.dockerfile).toMatch(/^\.ferry-dockerfile\.[0-9a-f]{12}$/);
      writeFileSync(join(root, 'b.tar'), await collect(outside.tar));
      expect(
        execFileSync('tar', ['-xOf', join(root, 'b.tar'), outside.dockerfile], { encoding: 'utf8' }),
      ).toContain('COPY index.js');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
