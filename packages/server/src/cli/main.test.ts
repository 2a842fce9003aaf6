import { ferryVersion } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { FerryMetrics } from '../metrics/metrics.js';
import { buildCli } from './main.js';

/** Runs the CLI on `args`; returns what it printed and the exit code it asked for. */
async function run(args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  let out = '';
  const cli = buildCli().configureOutput({
    writeOut: (s) => {
      out += s;
    },
    writeErr: (s) => {
      out += s;
    },
  });
  try {
    await cli.parseAsync(args, { from: 'user' });
    return { out, exitCode: undefined };
  } catch (err) {
    return { out, exitCode: (err as { exitCode?: number }).exitCode };
  }
}

describe('ferry --version', () => {
  it('prints the version ferry_build_info reports, with -v and --version', async () => {
    const metrics = new FerryMetrics(undefined, { defaultMetrics: false });
    const info = (await metrics.registry.getSingleMetric('ferry_build_info')?.get())?.values[0]?.labels;
    expect(info?.version).toBe(ferryVersion);
    for (const flag of ['--version', '-v']) {
      expect(await run([flag])).toEqual({ out: `${info?.version}\n`, exitCode: 0 });
    }
  });
});
