/** The registry the cluster pulls the image from, for the imagePullSecret. */
export interface RegistryCredentials {
  /** host[:port], as in image references (`registry.vpc:5000`). */
  readonly endpoint: string;
  readonly username: string;
  /** Secret: only ever written into the pull Secret's `.dockerconfigjson`. */
  readonly password: string;
}

/** Who and what a release is, recorded in labels and annotations. */
export interface ReleaseMetadata {
  /** GitLab project path, e.g. `payments/api`. */
  readonly project: string;
  readonly environment: string;
  /** The full commit sha the image was built from. */
  readonly commit: string;
  readonly pipelineId: string;
  /** Who merged (GitLab username); empty when unknown. */
  readonly mergedBy: string;
}

/** What the builders need besides the plan. */
export interface ManifestInputs {
  /** The image to run: by digest (`<repo>@sha256:…`) or an immutable tag (`<repo>:<sha>`). */
  readonly image: string;
  /** Credentials for the imagePullSecret; null when the cluster pulls without one. */
  readonly registry: RegistryCredentials | null;
  readonly meta: ReleaseMetadata;
  /** The image (and its commit) the Deployment ran before this release, kept for rollback. */
  readonly previous?: { readonly image: string; readonly commit: string | null } | null;
}
