import { runLint } from '@ferry/shared';

/** `ferry lint FILE…`: validate pipeline files; exit 0 valid, 1 problems, 2 unreadable. */
export async function lint(files: string[], options: { template?: string }): Promise<number> {
  return runLint(files, process.stdout, options.template === undefined ? {} : { template: options.template });
}
