import { stringify } from 'yaml';

/** One object as a YAML document (no `---`). */
export function toYamlDocument(object: object): string {
  return stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The objects as one multi-document YAML stream (`---` between documents), as kubectl reads it. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((object) => `---\n${toYamlDocument(object)}`).join('');
}
