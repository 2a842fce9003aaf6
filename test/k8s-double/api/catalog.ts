/**
 * The resources one double serves now: the built-in ones (resources.ts) and those its established
 * CustomResourceDefinitions add (crd/controller.ts). Routing, discovery and namespace deletion
 * read it, so a CRD's resource is addressable and discoverable once it is served, and gone once
 * its CRD is. A served resource keeps its identity while its CRD changes (watches compare it).
 */
import { findResource, type ResourceDef, resources } from './resources.js';

const keyOf = (d: Pick<ResourceDef, 'group' | 'version' | 'plural'>) => `${d.group}/${d.version}/${d.plural}`;

export class Catalog {
  private readonly custom = new Map<string, ResourceDef>();

  all(): ResourceDef[] {
    return [...resources, ...this.custom.values()];
  }

  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return findResource(group, version, plural) ?? this.custom.get(keyOf({ group, version, plural }));
  }

  /** The resources served for one CRD (one per served version), replacing what it served before. */
  serve(crd: string, defs: ResourceDef[]): void {
    const keep = new Set(defs.map(keyOf));
    for (const [key, d] of this.custom) if (d.custom?.crd === crd && !keep.has(key)) this.custom.delete(key);
    for (const def of defs) {
      const existing = this.custom.get(keyOf(def));
      if (existing) Object.assign(existing, def);
      else this.custom.set(keyOf(def), def);
    }
  }

  /** The resources of one CRD, served or not. */
  servedFor(crd: string): ResourceDef[] {
    return [...this.custom.values()].filter((d) => d.custom?.crd === crd);
  }
}
