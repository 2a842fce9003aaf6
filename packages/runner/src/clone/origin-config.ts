/**
 * The `[remote "origin"]` section `git remote add origin <url>` writes into `.git/config`, for the
 * clone to append itself: one git process fewer on every stage's path. The URL is quoted as
 * git-config(1) says ("Inside double quotes, double quote `"` and backslash `\` characters must be
 * escaped"), so `;` and `#` in it never start a comment; a parsed URL holds no newline. Pure.
 */
export function originConfig(url: URL): string {
  const quoted = url.href.replace(/[\\"]/g, (c) => `\\${c}`);
  return `[remote "origin"]\n\turl = "${quoted}"\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
}
