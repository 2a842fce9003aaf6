import { stringify } from 'yaml';

/** The objects as one multi-document YAML stream (`---` between documents), as kubectl reads it. */
export function toYaml(objects: readonly object[]): string {
  return objects
    .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
    .map((doc) => `---\n${doc}`)
    .join('');
}
