/**
 * The resources a CustomResourceDefinition serves: one per version with `served: true`, under
 * `/apis/<group>/<version>/[namespaces/<ns>/]<plural>`, with the `status` subresource when the
 * version declares it (the `scale` subresource is not served by the double). Custom resources
 * count `metadata.generation` on every change outside metadata (and status, when it is a
 * subresource), as pkg/registry/customresource/strategy.go does.
 */
import type { ResourceDef } from '../api/resources.js';
import type { KubeObject } from '../types.js';
import { specOf } from './crd-kind.js';

export function resourcesOf(crd: KubeObject): ResourceDef[] {
  const spec = specOf(crd);
  return spec.versions
    .filter((v) => v.served && v.schema?.openAPIV3Schema)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      subresources: v.subresources?.status ? ['status'] : [],
      tracksGeneration: true,
      custom: {
        crd: crd.metadata.name,
        schema: v.schema?.openAPIV3Schema ?? {},
        categories: spec.names.categories ?? [],
      },
    }));
}
