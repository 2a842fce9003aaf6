import { randomBytes } from 'node:crypto';

/**
 * The projects, refs, commits and files the GitLab double knows. Tests fill it; the API reads it.
 * A commit is known when it is a branch head, a tag target, listed in `commits`, or a key of
 * `files`. Files are looked up by the ref the client asked for, then by the commit it resolves to.
 */

export interface AddProjectInput {
  id: number;
  /** `group/project`; looked up case-insensitively like GitLab's full paths. */
  path_with_namespace: string;
  /** Default `main`. */
  default_branch?: string;
  name?: string;
  description?: string | null;
  visibility?: 'private' | 'internal' | 'public';
  /** Branch name → head commit SHA. */
  branches?: Record<string, string>;
  /** Tag name → commit SHA. */
  tags?: Record<string, string>;
  /** Extra commits: SHA → the branches that contain it (besides branches it is the head of). */
  commits?: Record<string, { branches?: string[] }>;
  /**
   * Ref or SHA → (file path → content). A branch named here that is not in `branches` is
   * created with a random head SHA.
   */
  files?: Record<string, Record<string, string>>;
  /** Base URL used in `web_url` and clone URLs (default `https://gitlab.example.com`). */
  instanceUrl?: string;
  /** Override `http_url_to_repo` (a local git server in end-to-end tests). */
  httpUrlToRepo?: string;
}

export interface StoredProject {
  readonly id: number;
  readonly pathWithNamespace: string;
  readonly name: string;
  readonly description: string | null;
  readonly visibility: 'private' | 'internal' | 'public';
  readonly instanceUrl: string;
  readonly httpUrlToRepo: string | undefined;
  defaultBranch: string;
  readonly branches: Map<string, string>;
  readonly tags: Map<string, string>;
  /** SHA → branches containing it (heads included). */
  readonly commits: Map<string, Set<string>>;
  /** Ref or SHA → path → content. */
  readonly files: Map<string, Map<string, string>>;
  /** Protected branch name (exact, no wildcards) → who may push and who may merge. */
  readonly protectedBranches: Map<string, ProtectedBranchRule>;
  readonly createdAt: Date;
}

/**
 * `Gitlab::Access` levels a protected branch allows (`ProtectedRefAccess::ALLOWED_ACCESS_LEVELS`):
 * 0 No one, 30 Developers + Maintainers, 40 Maintainers.
 */
export type ProtectedAccessLevel = 0 | 30 | 40;
export interface ProtectedBranchRule {
  push: ProtectedAccessLevel;
  merge: ProtectedAccessLevel;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,40}$/;

export class ProjectStore {
  readonly #byId = new Map<number, StoredProject>();

  addProject(input: AddProjectInput): StoredProject {
    if (this.#byId.has(input.id)) throw new Error(`project ${input.id} already exists in the GitLab double`);
    if (this.#findByPath(input.path_with_namespace)) {
      throw new Error(`project ${input.path_with_namespace} already exists in the GitLab double`);
    }
    const segments = input.path_with_namespace.split('/');
    const project: StoredProject = {
      id: input.id,
      pathWithNamespace: input.path_with_namespace,
      name: input.name ?? segments.at(-1) ?? input.path_with_namespace,
      description: input.description ?? null,
      visibility: input.visibility ?? 'private',
      instanceUrl: (input.instanceUrl ?? 'https://gitlab.example.com').replace(/\/+$/, ''),
      httpUrlToRepo: input.httpUrlToRepo,
      defaultBranch: input.default_branch ?? 'main',
      branches: new Map(),
      tags: new Map(),
      commits: new Map(),
      files: new Map(),
      protectedBranches: new Map(),
      createdAt: new Date(),
    };
    this.#byId.set(project.id, project);
    for (const [branch, sha] of Object.entries(input.branches ?? {})) this.setBranch(project.id, branch, sha);
    for (const [tag, sha] of Object.entries(input.tags ?? {})) this.setTag(project.id, tag, sha);
    for (const [sha, info] of Object.entries(input.commits ?? {}))
      this.addCommit(project.id, sha, info.branches);
    for (const [ref, files] of Object.entries(input.files ?? {})) {
      for (const [path, content] of Object.entries(files)) this.setFile(project.id, ref, path, content);
    }
    return project;
  }

  /** By numeric id, numeric string, or (URL-decoded) `group/project` path. */
  find(idOrPath: number | string): StoredProject | undefined {
    if (typeof idOrPath === 'number') return this.#byId.get(idOrPath);
    if (/^\d+$/.test(idOrPath)) return this.#byId.get(Number(idOrPath));
    return this.#findByPath(idOrPath);
  }

  get(idOrPath: number | string): StoredProject {
    const project = this.find(idOrPath);
    if (!project) throw new Error(`no project ${idOrPath} in the GitLab double`);
    return project;
  }

  all(): StoredProject[] {
    return [...this.#byId.values()];
  }

  /**
   * Protects a branch (GitLab's default for a new protected branch: push and merge Maintainers).
   * Environment branches are protected almost everywhere.
   */
  protectBranch(projectId: number | string, branch: string, rule: Partial<ProtectedBranchRule> = {}): void {
    this.get(projectId).protectedBranches.set(branch, { push: rule.push ?? 40, merge: rule.merge ?? 40 });
  }

  setBranch(projectId: number | string, branch: string, sha: string): void {
    const project = this.get(projectId);
    assertSha(sha);
    project.branches.set(branch, sha);
    this.#commitBranches(project, sha).add(branch);
  }

  deleteBranch(projectId: number | string, branch: string): void {
    const project = this.get(projectId);
    project.branches.delete(branch);
    for (const branches of project.commits.values()) branches.delete(branch);
  }

  setTag(projectId: number | string, tag: string, sha: string): void {
    const project = this.get(projectId);
    assertSha(sha);
    project.tags.set(tag, sha);
    this.#commitBranches(project, sha);
  }

  /** Makes a commit known, optionally contained in `branches`. */
  addCommit(projectId: number | string, sha: string, branches: string[] = []): void {
    const project = this.get(projectId);
    assertSha(sha);
    const set = this.#commitBranches(project, sha);
    for (const branch of branches) set.add(branch);
  }

  /** Stores a file at a ref (branch, tag) or commit SHA. */
  setFile(projectId: number | string, ref: string, path: string, content: string): void {
    const project = this.get(projectId);
    if (FULL_SHA.test(ref)) {
      this.#commitBranches(project, ref);
    } else if (!project.branches.has(ref) && !project.tags.has(ref)) {
      this.setBranch(project.id, ref, randomBytes(20).toString('hex'));
    }
    let files = project.files.get(ref);
    if (!files) {
      files = new Map();
      project.files.set(ref, files);
    }
    files.set(path, content);
  }

  #commitBranches(project: StoredProject, sha: string): Set<string> {
    let set = project.commits.get(sha);
    if (!set) {
      set = new Set();
      project.commits.set(sha, set);
    }
    return set;
  }

  #findByPath(path: string): StoredProject | undefined {
    const wanted = path.toLowerCase();
    for (const project of this.#byId.values()) {
      if (project.pathWithNamespace.toLowerCase() === wanted) return project;
    }
    return undefined;
  }
}

function assertSha(sha: string): void {
  if (!FULL_SHA.test(sha)) throw new Error(`not a full commit SHA: ${sha}`);
}

/**
 * Resolves what `project.commit(ref)` resolves in GitLab: a branch, a tag, a full SHA or an
 * unambiguous SHA prefix of at least 7 characters. Returns the full SHA or `undefined`.
 */
export function resolveCommit(project: StoredProject, ref: string): string | undefined {
  const branch = project.branches.get(ref);
  if (branch) return branch;
  const tag = project.tags.get(ref);
  if (tag) return tag;
  if (FULL_SHA.test(ref)) return project.commits.has(ref) ? ref : undefined;
  if (SHORT_SHA.test(ref)) {
    const matches = [...project.commits.keys()].filter((sha) => sha.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }
  return undefined;
}

/** Branch names containing the commit, like `repository.branch_names_contains(sha)`. */
export function branchesContaining(project: StoredProject, sha: string): string[] {
  return [...(project.commits.get(sha) ?? [])].sort();
}

/**
 * The file content at a ref, or `undefined` when the file is not there. Files stored under the
 * ref itself win, then those stored under the commit SHA, then under any branch or tag whose
 * head is that commit.
 */
export function readFileAt(
  project: StoredProject,
  ref: string,
  sha: string,
  path: string,
): string | undefined {
  const keys = [ref, sha];
  for (const [name, head] of [...project.branches, ...project.tags]) if (head === sha) keys.push(name);
  for (const key of keys) {
    const content = project.files.get(key)?.get(path);
    if (content !== undefined) return content;
  }
  return undefined;
}
