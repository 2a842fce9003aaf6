import { z } from 'zod';
import { RUNNER_CONTRACT_VERSION } from './contract-version.js';

/**
 * Lines a runner prints while it works, for the server to record as they come (the result line
 * comes last): `::ferry-progress::` and a JSON object with the contract version. Today the deploy
 * runner's canary steps. Additive: a server ignores what it cannot read, and an older runner
 * simply prints none, so the contract version does not change with them.
 */
export const PROGRESS_PREFIX = '::ferry-progress::';

/** One canary step's state: its pods were applied (`running`), then `promoted` or `aborted`. */
export const CanaryStepProgressSchema = z.object({
  /** 1-based index among the spec's steps. */
  step: z.number().int().min(1).max(100),
  /** How many steps the spec has (the last, 100%, is the full rollout). */
  of: z.number().int().min(1).max(100),
  percent: z.number().int().min(1).max(99),
  state: z.enum(['running', 'promoted', 'aborted']),
  /** What decided it (the pause elapsed, a decision, the pods not becoming ready). */
  by: z.string().max(500).optional(),
});
export type CanaryStepProgress = z.infer<typeof CanaryStepProgressSchema>;

export const ProgressSchema = z.object({ canary: CanaryStepProgressSchema });
export type RunnerProgress = z.infer<typeof ProgressSchema>;

/** The progress line for `progress` (without a newline). The writer. */
export function formatProgressLine(progress: RunnerProgress): string {
  return `${PROGRESS_PREFIX}${JSON.stringify({ contract: RUNNER_CONTRACT_VERSION, ...progress })}`;
}

/**
 * One stdout line read as progress: undefined when it is not a progress line this server can
 * use (no prefix at column 0, not JSON, another contract version, a shape it does not know). Pure.
 */
export function parseProgressLine(line: string): RunnerProgress | undefined {
  const text = line.replace(/\r$/, '');
  if (!text.startsWith(PROGRESS_PREFIX)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(PROGRESS_PREFIX.length));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { contract, ...fields } = parsed as Record<string, unknown>;
  if (contract !== RUNNER_CONTRACT_VERSION) return undefined;
  const checked = ProgressSchema.safeParse(fields);
  return checked.success ? checked.data : undefined;
}
