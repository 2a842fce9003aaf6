import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExecutorErrors, FerryError } from '@ferry/shared';

/**
 * The runner program (`packages/runner/bin/ferry-runner.js`) as this installation resolves the
 * `@ferry/runner` package, so it is found from the source tree, from dist, and in an image.
 */
export function defaultRunnerProgram(): string {
  const main = createRequire(import.meta.url).resolve('@ferry/runner');
  return join(dirname(main), '..', 'bin', 'ferry-runner.js');
}

/** Fails with a clear error when the runner program or its build is missing. */
export async function checkRunnerProgram(program: string): Promise<void> {
  for (const path of [program, join(dirname(program), '..', 'dist', 'cli.js')]) {
    try {
      await access(path);
    } catch {
      throw new FerryError(ExecutorErrors.EXECUTOR_RUNNER_PROGRAM_MISSING, { path });
    }
  }
}
