import { parseImageRef } from '@ferry/shared';

/**
 * Base-image allowlist patterns: globs over image references, where `*` matches within one path
 * component (no `/`), `**` matches across components, `?` one character. `registry.vpc:5000/base/*`
 * allows every image directly below `base/` with any tag or digest; `node:20-*` the node 20 tags.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The spellings of one reference a pattern may be written for: as written; with Docker Hub's
 * implied `docker.io/library/` and `:latest` dropped or added. `node`, `node:latest`,
 * `library/node:latest` and `docker.io/library/node:latest` are the same image.
 */
export function referenceForms(image: string): string[] {
  const forms = new Set([image]);
  const ref = parseImageRef(image);
  if (ref === undefined) return [...forms];
  const suffix = `${ref.tag === undefined ? (ref.digest === undefined ? ':latest' : '') : `:${ref.tag}`}${
    ref.digest === undefined ? '' : `@${ref.digest}`
  }`;
  const hub =
    ref.registry === undefined || ref.registry === 'docker.io' || ref.registry === 'index.docker.io';
  if (hub) {
    const familiar = ref.repository.startsWith('library/')
      ? ref.repository.slice('library/'.length)
      : ref.repository;
    const full = familiar.includes('/') ? familiar : `library/${familiar}`;
    forms.add(`${familiar}${suffix}`);
    forms.add(`docker.io/${full}${suffix}`);
  } else {
    forms.add(`${ref.registry}/${ref.repository}${suffix}`);
  }
  return [...forms];
}

/** The first pattern the image matches, or undefined. Pure. */
export function allowedBy(image: string, patterns: readonly string[]): string | undefined {
  const forms = referenceForms(image);
  return patterns.find((p) => {
    const re = globToRegExp(p);
    return forms.some((f) => re.test(f));
  });
}
