import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext } from './context-tar.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The names in a tar, as GNU tar (an independent reader) lists them. */
function tarNames(file: string): string[] {
  return execFileSync('tar', ['--quoting-style=literal', '-tf', file], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

describe('buildContext', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ferry-ctx-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('archives the context as tar reads it, honouring .dockerignore, links kept as links', async () => {
    const ctx = join(root, 'app');
    mkdirSync(join(ctx, 'node_modules/x'), { recursive: true });
    mkdirSync(join(ctx, `${'deep/'.repeat(25)}`), { recursive: true });
    writeFileSync(join(ctx, 'node_modules/x/i.js'), 'x');
    writeFileSync(join(ctx, `${'deep/'.repeat(25)}f.txt`), 'deep');
    writeFileSync(join(ctx, 'index.js'), 'console.log(1)\n');
    writeFileSync(join(ctx, 'café.txt'), 'crème\n');
    writeFileSync(join(ctx, 'empty'), '');
    writeFileSync(join(ctx, 'debug.log'), 'log');
    writeFileSync(join(ctx, '.dockerignore'), 'node_modules\n*.log\nDockerfile\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(root, 'outside.Dockerfile'), 'FROM scratch\nCOPY index.js /\n');
    symlinkSync('/etc/passwd', join(ctx, 'link'));

    const inside = await buildContext(ctx, join(ctx, 'Dockerfile'), new AbortController().signal);
    expect(inside.dockerfile).toBe('Dockerfile');
    writeFileSync(join(root, 'a.tar'), await collect(inside.tar));
    const listing = execFileSync('tar', ['-tvf', join(root, 'a.tar')], { encoding: 'utf8' });
    const names = tarNames(join(root, 'a.tar'));
    expect(names).toContain('index.js');
    expect(names).toContain('café.txt');
    expect(names).toContain('empty');
    expect(names).toContain('.dockerignore');
    expect(names).toContain('Dockerfile');
    expect(names).toContain(`${'deep/'.repeat(25)}f.txt`);
    expect(names).not.toContain('debug.log');
    expect(names.some((n) => n.startsWith('node_modules'))).toBe(false);
    // The link itself, not what it points to: nothing outside the context is read.
    expect(listing).toMatch(/link -> \/etc\/passwd/);
    const read = (name: string) =>
      execFileSync('tar', ['-xOf', join(root, 'a.tar'), name], { encoding: 'utf8' });
    expect(read('index.js')).toBe('console.log(1)\n');
    expect(read('café.txt')).toBe('crème\n');
    expect(read(`${'deep/'.repeat(25)}f.txt`)).toBe('deep');

    const outside = await buildContext(ctx, join(root, 'outside.Dockerfile'), new AbortController().signal);
    expect(outside.dockerfile).toMatch(/^\.ferry-dockerfile\.[0-9a-f]{12}$/);
    writeFileSync(join(root, 'b.tar'), await collect(outside.tar));
    expect(
      execFileSync('tar', ['-xOf', join(root, 'b.tar'), outside.dockerfile], { encoding: 'utf8' }),
    ).toContain('COPY index.js');
  });

  // The Docker CLI's .dockerignore rules (moby/patternmatcher, docs.docker.com "dockerignore file"):
  // paths from the context root, `*` and `?` within one component, `**` across any, `!` re-includes,
  // a matched directory excludes what is below it, the last matching rule wins.
  it('leaves out what .dockerignore excludes, as the Docker CLI does', async () => {
    const ctx = join(root, 'ignore');
    const files = [
      'node_modules/x/index.js',
      'src/node_modules/y.js',
      'app.log',
      'logs/app.log',
      'build/out.js',
      'docs/a.png',
      'docs/x/y/a.png',
      'docs/a.md',
      'tmp/t',
      'a/b/tmp/c',
      'secret.txt',
      'secret.example',
      'a/b.txt',
      'a/bc.txt',
      'src/index.ts',
      'vendor/skip.js',
      'vendor/keep/kept.js',
      'README.md',
      'CHANGES.md',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(ctx, f)), { recursive: true });
      writeFileSync(join(ctx, f), f);
    }
    writeFileSync(
      join(ctx, '.dockerignore'),
      [
        '# comment',
        'node_modules',
        '*.log',
        '/build/',
        'docs/**/*.png',
        '**/tmp',
        'secret*',
        '!secret.example',
        '',
        'a/?.txt',
        'vendor',
        '!vendor/keep',
        '*.md',
        '!README.md',
        'README.md',
      ].join('\n'),
    );
    const context = await buildContext(ctx, join(ctx, 'src/index.ts'), new AbortController().signal);
    writeFileSync(join(root, 'ignore.tar'), await collect(context.tar));
    const kept = tarNames(join(root, 'ignore.tar')).filter((n) => !n.endsWith('/'));
    expect(kept.sort()).toEqual(
      [
        '.dockerignore',
        'src/node_modules/y.js',
        'logs/app.log',
        'docs/a.md',
        'secret.example',
        'a/bc.txt',
        'src/index.ts',
        'vendor/keep/kept.js',
      ].sort(),
    );
  });

  it('stops with the signal', async () => {
    const ctx = join(root, 'abort');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\n');
    const controller = new AbortController();
    controller.abort(new Error('stage canceled'));
    const context = await buildContext(ctx, join(ctx, 'Dockerfile'), controller.signal);
    await expect(collect(context.tar)).rejects.toThrow(/stage canceled/);
  });
});
