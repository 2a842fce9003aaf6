import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anyKey, configKeys, documentedKeys } from './config-keys.js';
import { buildConfigSchema } from './schema.js';
import { Secret } from './secret.js';

const schema = buildConfigSchema(() => new Secret('unused', 'test'));
const keys = configKeys(schema);
const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
/** The table under `## Keys`, up to the next section. */
const keysTable = doc.slice(doc.indexOf('\n## Keys'), doc.indexOf('\n## ', doc.indexOf('\n## Keys') + 1));

describe('configKeys', () => {
  it('walks objects, lists of objects and maps of objects down to the keys that hold values', () => {
    const leaves = keys.filter((k) => k.leaf).map((k) => k.path);
    expect(leaves).toEqual(
      expect.arrayContaining([
        'server.port',
        'executor.kubernetes.pendingTimeout',
        'gitlab.token',
        `gitlab.projects.${anyKey}.webhookSecret`,
        'wecom.bots[].language',
        'wecom.mentions',
        `deploy.environments.${anyKey}.kubeconfig`,
        `environments.${anyKey}.branch`,
        'auth.proxy.trustedProxies',
        'build.allowedBaseImages',
      ]),
    );
    expect(leaves).not.toContain('server');
    expect(keys).toContainEqual({ path: 'wecom.bots[]', leaf: false });
  });
});

describe('documentedKeys', () => {
  it('reads full keys, `.sibling` shorthands and map placeholders from the first column', () => {
    const table = [
      '| key | default | meaning |',
      '| --- | --- | --- |',
      '| `a.b.c` / `.d` | `x` | two keys, `not.a.key` in the meaning |',
      '| `m.<name>.k`, `.j` | — | under a map |',
    ].join('\n');
    expect(documentedKeys(table)).toEqual(['a.b.c', 'a.b.d', `m.${anyKey}.k`, `m.${anyKey}.j`]);
  });
});

describe('docs/configuration.md', () => {
  const documented = new Set(documentedKeys(keysTable));

  it('documents every key of the configuration schema', () => {
    const missing = keys.filter((k) => k.leaf && !documented.has(k.path)).map((k) => k.path);
    expect(missing).toEqual([]);
  });

  it('names no key the schema does not have', () => {
    const known = new Set(keys.map((k) => k.path));
    expect([...documented].filter((k) => !known.has(k))).toEqual([]);
  });
});
