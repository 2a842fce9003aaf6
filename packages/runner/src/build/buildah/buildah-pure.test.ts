import { describe, expect, it } from 'vitest';
import { authFileJson, readAuthFile } from './auth-file.js';
import { budArgs, CACHE_PUSH_FAILED_RE, pushArgs, writesRegistryCache } from './bud-args.js';
import { cacheRepository } from './buildah-build.js';
import { registriesConf } from './registries-conf.js';

describe('budArgs', () => {
  const base = {
    contextDir: '/w/app',
    dockerfile: '/w/app/Dockerfile',
    tags: ['r:5000/g/s:abc', 'r:5000/g/s:test'],
    buildArgs: { A: 'x y', B: '$HOME' },
    target: null,
    labels: { 'org.opencontainers.image.revision': 'abc' },
    cache: { repository: 'r:5000/g/s/cache', write: true },
    storage: { driver: 'overlay', root: null, rootless: false },
  };
  it('builds with chroot isolation, kept layers, the registry cache both ways, args and labels as single words', () => {
    expect(budArgs(base)).toEqual([
      '--storage-driver',
      'overlay',
      'bud',
      '--isolation',
      'chroot',
      '--layers',
      '--file',
      '/w/app/Dockerfile',
      '--tag',
      'r:5000/g/s:abc',
      '--tag',
      'r:5000/g/s:test',
      '--build-arg',
      'A=x y',
      '--build-arg',
      'B=$HOME',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--cache-from',
      'r:5000/g/s/cache',
      '--cache-to',
      'r:5000/g/s/cache',
      '/w/app',
    ]);
  });
  it('adds the target, and builds without the cache when told', () => {
    const args = budArgs({ ...base, target: 'runtime', cache: null });
    expect(args).toContain('runtime');
    expect(args.join(' ')).not.toContain('cache');
  });
  it('reads the registry cache without writing it when told', () => {
    const args = budArgs({ ...base, cache: { repository: 'r:5000/g/s/cache', write: false } });
    expect(args).toContain('--cache-from');
    expect(args).not.toContain('--cache-to');
  });
  it('writes the registry cache without a slot or on an empty one, never on a warm one', () => {
    expect(writesRegistryCache(null)).toBe(true);
    expect(writesRegistryCache({ previous: null })).toBe(true);
    expect(writesRegistryCache({ previous: { pipelineId: 'p1', bytes: 1 } })).toBe(false);
  });
  it('never carries a credential', () => {
    expect(
      [...budArgs(base), ...pushArgs({ driver: 'vfs', root: null, rootless: false }, 'r/x:1', '/t/d')].join(
        ' ',
      ),
    ).not.toMatch(/creds|password|auth/);
  });
  it('uses a build cache slot as the storage root of the build and the push', () => {
    const storage = { driver: 'overlay', root: '/c/slot-1/storage', rootless: false };
    expect(budArgs({ ...base, storage }).slice(0, 5)).toEqual([
      '--storage-driver',
      'overlay',
      '--root',
      '/c/slot-1/storage',
      'bud',
    ]);
    expect(pushArgs(storage, 'r/x:1', '/t/d').slice(0, 5)).toEqual([
      '--storage-driver',
      'overlay',
      '--root',
      '/c/slot-1/storage',
      'push',
    ]);
  });
  it('rootless, keeps what it cannot chown as its one id, in the build and the push', () => {
    const storage = { driver: 'overlay', root: null, rootless: true };
    const opt = ['--storage-opt', 'overlay.ignore_chown_errors=true'];
    expect(budArgs({ ...base, storage }).slice(0, 5)).toEqual(['--storage-driver', 'overlay', ...opt, 'bud']);
    expect(pushArgs({ ...storage, driver: 'vfs' }, 'r/x:1', '/t/d').slice(0, 5)).toEqual([
      '--storage-driver',
      'vfs',
      '--storage-opt',
      'vfs.ignore_chown_errors=true',
      'push',
    ]);
  });
  it('rootless on a cache slot, keeps its run state in the build work directory, not /run/containers', () => {
    const storage = { driver: 'overlay', root: '/c/slot-0/storage', rootless: true, runRoot: '/tmp/b/run' };
    expect(budArgs({ ...base, storage }).slice(0, 9)).toEqual([
      '--storage-driver',
      'overlay',
      '--root',
      '/c/slot-0/storage',
      '--runroot',
      '/tmp/b/run',
      '--storage-opt',
      'overlay.ignore_chown_errors=true',
      'bud',
    ]);
  });
  it('pushes with the digest file', () => {
    expect(pushArgs({ driver: 'vfs', root: null, rootless: false }, 'r:5000/g/s:abc', '/t/d')).toEqual([
      '--storage-driver',
      'vfs',
      'push',
      '--digestfile',
      '/t/d',
      'r:5000/g/s:abc',
      'docker://r:5000/g/s:abc',
    ]);
  });
  it("recognises buildah 1.28's words for a cache it could not write", () => {
    expect(
      CACHE_PUSH_FAILED_RE.test('Error: failed pushing cache to {{{"127.0.0.1:5999" "x/cache"} "f4e0"}}: …'),
    ).toBe(true);
    expect(CACHE_PUSH_FAILED_RE.test('Error: building at STEP "RUN x": exit status 1')).toBe(false);
  });
});

describe('the cache repository', () => {
  it('is one per project image, beside it, whatever the environment', () => {
    expect(cacheRepository('r:5000/payments/api')).toBe('r:5000/payments/api/cache');
  });
});

describe('auth file', () => {
  it('round-trips the credential for the registry host, and says what is wrong otherwise', () => {
    const text = authFileJson('r:5000', 'ferry', 'p:ss');
    expect(JSON.parse(text)).toEqual({
      auths: { 'r:5000': { auth: Buffer.from('ferry:p:ss').toString('base64') } },
    });
    expect(readAuthFile(text, 'r:5000')).toEqual({ username: 'ferry', password: 'p:ss' });
    expect(readAuthFile(text, 'other:5000')).toEqual({
      problem: 'the registry auth file has no entry for other:5000',
    });
    expect(readAuthFile('nope', 'r:5000')).toEqual({ problem: 'the registry auth file is not JSON' });
  });
});

describe('registriesConf', () => {
  it('resolves short names on Docker Hub and marks only an insecure Ferry registry', () => {
    expect(registriesConf('127.0.0.1:5000', true)).toContain('location = "127.0.0.1:5000"\ninsecure = true');
    expect(registriesConf('registry.vpc', false)).not.toContain('insecure');
    expect(registriesConf('registry.vpc', false)).toContain('unqualified-search-registries = ["docker.io"]');
  });
});
