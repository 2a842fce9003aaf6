import type { ManifestRecord } from '../domain/pipeline.js';
import { redactSecrets } from './redact.js';
import type { ManifestObject } from './types.js';
import { toYamlDocument } from './yaml.js';

/** At most this many bytes of YAML are kept on a pipeline record (all objects together). */
export const MANIFESTS_MAX_BYTES = 256 * 1024;

/** Ends (or replaces) the YAML of the object where the size cap was reached. */
export function manifestsTruncatedMarker(maxBytes: number): string {
  return `# truncated by Ferry: the rendered manifests exceed ${Math.floor(maxBytes / 1024)} KiB\n`;
}

/** The first `bytes` bytes of `text`, never ending inside a UTF-8 sequence. */
function headBytes(text: string, bytes: number): string {
  return Buffer.from(text, 'utf8')
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/**
 * The objects as a pipeline record keeps them: kind, name, namespace and YAML, every Secret's
 * values replaced by `<redacted>` first. The YAML of all objects together is capped at `maxBytes`:
 * the object that crosses the cap is cut and ends with the truncation marker, the ones after it
 * hold only the marker. Pure.
 */
export function manifestRecords(
  objects: readonly ManifestObject[],
  maxBytes: number = MANIFESTS_MAX_BYTES,
): ManifestRecord[] {
  const marker = manifestsTruncatedMarker(maxBytes);
  let left = maxBytes;
  return redactSecrets(objects).map((object) => {
    const { name, namespace } = object.metadata;
    const record = { kind: object.kind, name, ...(namespace === undefined ? {} : { namespace }) };
    const yaml = toYamlDocument(object);
    const bytes = Buffer.byteLength(yaml, 'utf8');
    if (bytes <= left) {
      left -= bytes;
      return { ...record, yaml };
    }
    const head = headBytes(yaml, left);
    left = 0;
    return { ...record, yaml: `${head}${head === '' || head.endsWith('\n') ? '' : '\n'}${marker}` };
  });
}
