import { z } from 'zod';

/**
 * What `ferry-runner build` and `ferry-runner deploy` report in their result line (docs/release.md),
 * as zod schemas both sides use: the runner's writer is typed by them, the server parses with them.
 * Unknown keys are dropped, so a runner may add a field without breaking a server of its version.
 */

/** A failure: a FerryError's `{ code, message }` (`FERRY_ERR_RELEASE_*`, `FERRY_ERR_ABORTED`, …). */
export const ResultErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ResultError = z.infer<typeof ResultErrorSchema>;

/** What a build pushed. */
export const BuildSuccessSchema = z.object({
  /** `<registry>/<repository>:<commit sha>`. */
  image: z.string().min(1),
  /** The manifest digest, as the registry serves it. */
  digest: z.string().min(1),
  /** `<registry>/<repository>@<digest>`: what change pod deploys. */
  reference: z.string().min(1),
  tags: z.array(z.string()),
});
export type BuildSuccess = z.infer<typeof BuildSuccessSchema>;

export const BuildFailureSchema = z.object({ error: ResultErrorSchema });
export type BuildFailure = z.infer<typeof BuildFailureSchema>;

export const BuildResultSchema = z.union([BuildSuccessSchema, BuildFailureSchema]);
export type BuildResult = z.infer<typeof BuildResultSchema>;

/** What a rollback of the release returns to, as the deploy runner found it on the cluster. */
export const PreviousReleaseSchema = z.object({
  image: z.string().min(1),
  commit: z.string().nullable(),
});
export type PreviousRelease = z.infer<typeof PreviousReleaseSchema>;

/** A rollout that succeeded. */
export const DeploySuccessSchema = z.object({
  /** The image the Deployment runs now. */
  deployed: z.string().min(1),
  commit: z.string(),
  revision: z.number().int(),
  namespace: z.string().min(1),
  deployment: z.string().min(1),
  /** null on a first deploy. */
  previous: PreviousReleaseSchema.nullable(),
});
export type DeploySuccess = z.infer<typeof DeploySuccessSchema>;

/** A deploy that failed; the fields besides `error` say what the cluster runs now. */
export const DeployFailureSchema = z.object({
  error: ResultErrorSchema,
  /** The commit a failed rollout went back to; null when there was nothing to go back to. */
  rolledBackTo: z.string().nullable().optional(),
  /** The image running after the rollback. */
  image: z.string().optional(),
  /** The image that failed. */
  failed: z.string().optional(),
  revision: z.number().int().optional(),
  /** The canary step that was aborted. */
  aborted: z.string().optional(),
  /** What ran while the canary was aborted. */
  running: z.string().optional(),
  /** Absent when the runner failed before it read the cluster. */
  previous: PreviousReleaseSchema.nullable().optional(),
});
export type DeployFailure = z.infer<typeof DeployFailureSchema>;
/** The fields of a failed deploy's result line besides `error`. */
export type DeployFailureFields = Omit<DeployFailure, 'error'>;

export const DeployResultSchema = z.union([DeploySuccessSchema, DeployFailureSchema]);
export type DeployResult = z.infer<typeof DeployResultSchema>;

/**
 * The runner subcommands that print a result line, and what each prints: a failure when the line
 * has an `error`, else a success (the parser picks one, so a violation names the field).
 */
export const resultSchemas = {
  build: { success: BuildSuccessSchema, failure: BuildFailureSchema },
  deploy: { success: DeploySuccessSchema, failure: DeployFailureSchema },
} as const;
export type ResultKind = keyof typeof resultSchemas;
export interface RunnerResults {
  build: BuildResult;
  deploy: DeployResult;
}

/** A result with the subcommand that printed it: narrowing on `kind` narrows `result`. */
export type RunnerResult = {
  [K in ResultKind]: { readonly kind: K; readonly result: RunnerResults[K] };
}[ResultKind];

/** The kind of result a stage's runner prints: build and deploy run `ferry-runner`, test does not. */
export function resultKindOf(stage: string): ResultKind | undefined {
  return stage === 'build' || stage === 'deploy' ? stage : undefined;
}
