import { tryParseQuantity, type VolumeClaimManifest } from '@ferry/shared';

/** The parts of an existing claim a deploy may not change. */
export interface ExistingClaim {
  spec?: {
    accessModes?: string[];
    storageClassName?: string;
    resources?: { requests?: Record<string, string> };
  };
}

/**
 * The claim to apply when one exists already: Kubernetes refuses to change its access modes or
 * storage class, and to shrink it, so those are kept as they are (with a note for the log); a
 * larger size is applied (expansion, where the storage class allows it). Pure.
 */
export function keepImmutableClaimFields(
  desired: VolumeClaimManifest,
  existing: ExistingClaim | undefined,
): { claim: VolumeClaimManifest; notes: string[] } {
  if (existing?.spec === undefined) return { claim: desired, notes: [] };
  const notes: string[] = [];
  const spec = { ...desired.spec };
  const modes = existing.spec.accessModes;
  if (modes !== undefined && modes.join(',') !== spec.accessModes.join(',')) {
    notes.push(
      `keeps its access modes ${modes.join(', ')} (the spec would now want ${spec.accessModes.join(', ')}; Kubernetes cannot change them)`,
    );
    spec.accessModes = [...modes];
  }
  // Without a class in the spec the cluster's default was filled in: Ferry does not claim that field.
  const cls = existing.spec.storageClassName;
  if (cls !== undefined && spec.storageClassName !== undefined && cls !== spec.storageClassName) {
    notes.push(
      `keeps its storage class ${cls} (the spec says ${spec.storageClassName}; Kubernetes cannot change it)`,
    );
    spec.storageClassName = cls;
  }
  const had = existing.spec.resources?.requests?.storage;
  const want = spec.resources.requests.storage;
  if (had !== undefined && (tryParseQuantity(want)?.value ?? 0) < (tryParseQuantity(had)?.value ?? 0)) {
    notes.push(`keeps its size ${had} (the spec says ${want}; a volume claim cannot shrink)`);
    spec.resources = { requests: { storage: had } };
  }
  return { claim: { ...desired, spec }, notes };
}
