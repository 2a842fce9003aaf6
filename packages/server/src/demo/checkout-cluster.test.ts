import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceCheckout } from './checkout-cluster.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const moduleIn = (dir: string) =>
  pathToFileURL(join(dir, 'packages/server/dist/demo/checkout-cluster.js')).href;

describe('sourceCheckout', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('finds the checkout this module runs from (the double, the image scripts and tsx are there)', () => {
    expect(sourceCheckout()).toBe(root);
    expect(sourceCheckout(moduleIn(root))).toBe(root);
  });

  it("is undefined for an installed CLI: another package's tree, or Ferry's without the double", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-checkout-'));
    dirs.push(dir);
    expect(sourceCheckout(moduleIn(dir))).toBeUndefined();
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'ferry' }));
    for (const script of [
      'scripts/lib/test-images.sh',
      'scripts/lib/runner-image.sh',
      'node_modules/tsx/package.json',
    ]) {
      await mkdir(join(dir, script, '..'), { recursive: true });
      await writeFile(join(dir, script), '');
    }
    expect(sourceCheckout(moduleIn(dir))).toBeUndefined();
    await mkdir(join(dir, 'test/k8s-double'), { recursive: true });
    await writeFile(join(dir, 'test/k8s-double/main.ts'), '');
    expect(sourceCheckout(moduleIn(dir))).toBe(`${dir}/`);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'not-ferry' }));
    expect(sourceCheckout(moduleIn(dir))).toBeUndefined();
  });
});
