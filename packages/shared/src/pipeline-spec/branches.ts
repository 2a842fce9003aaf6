/** Branch names by the rules of `git check-ref-format --branch`. */

export const BRANCH_NAME_MAX = 255;

/** Why `name` is not a valid branch name, or undefined when it is. */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > BRANCH_NAME_MAX) return `it is longer than ${BRANCH_NAME_MAX} characters`;
  if (name.startsWith('refs/')) return 'write the branch name without "refs/heads/"';
  if (name === 'HEAD' || name === '@') return `"${name}" is not a branch name`;
  if (name.startsWith('-')) return 'it starts with "-"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what git refuses.
  const bad = name.match(/[\u0000-\u0020\u007f~^:?*[\\]/);
  if (bad)
    return `it contains ${bad[0] === ' ' ? 'a space' : JSON.stringify(bad[0])}, which git refuses in branch names`;
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.includes('//') || name.startsWith('/') || name.endsWith('/'))
    return 'it has an empty path component';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `the component "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `the component "${component}" ends with ".lock"`;
  }
  return undefined;
}

export function isValidBranchName(name: string): boolean {
  return branchNameProblem(name) === undefined;
}
