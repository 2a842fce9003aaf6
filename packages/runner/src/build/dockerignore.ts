import { posix } from 'node:path';

interface IgnorePattern {
  readonly exclusion: boolean;
  readonly re: RegExp;
}

/**
 * `.dockerignore` as the Docker CLI reads it (moby/patternmatcher): one pattern a line, `#`
 * comments, `!` re-includes, paths cleaned and taken from the context root, `*` and `?` within one
 * path component, `**` across any number of them; a pattern that matches a directory excludes
 * what is below it; the last matching pattern wins. Pure.
 */
export class DockerIgnore {
  readonly #patterns: IgnorePattern[];
  /** Whether any `!` pattern exists: an excluded directory must then still be walked. */
  readonly hasExclusions: boolean;

  constructor(text: string) {
    this.#patterns = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const exclusion = line.startsWith('!');
      if (exclusion) line = line.slice(1).trim();
      line = posix.normalize(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
      if (line.endsWith('/') && line.length > 1) line = line.slice(0, -1);
      if (line === '' || line === '.') continue;
      this.#patterns.push({ exclusion, re: patternRegExp(line) });
    }
    this.hasExclusions = this.#patterns.some((p) => p.exclusion);
  }

  /** True when `path` (relative to the context, `/`-separated) is left out of the context. */
  excludes(path: string): boolean {
    const parents = parentPaths(path);
    let excluded = false;
    for (const pattern of this.#patterns) {
      const match = pattern.re.test(path) || parents.some((p) => pattern.re.test(p));
      if (match) excluded = !pattern.exclusion;
    }
    return excluded;
  }
}

/** `a/b/c` → `['a', 'a/b']`. */
function parentPaths(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Go filepath.Match plus `**`, compiled as patternmatcher does. */
function patternRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else if (ch === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
    } else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}
