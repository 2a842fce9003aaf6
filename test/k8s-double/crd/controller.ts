/**
 * What the apiextensions-apiserver's controllers (v1.31) do for each CustomResourceDefinition:
 * - naming (pkg/controller/status/naming_controller.go): the names are accepted unless another CRD
 *   of the group already uses the plural or the kind (condition NamesAccepted False,
 *   PluralConflict/KindConflict, `"<name>" is already in use`, and Established False NotAccepted);
 *   accepted names go to status.acceptedNames, NamesAccepted True NoConflicts "no conflicts found";
 * - establishing (pkg/controller/establish): Established True InitialNamesAccepted "the initial
 *   names have been accepted". Its resources are served (routing, discovery: api/catalog.ts) before
 *   the condition is written, so a client that waited for Established finds the kind;
 * - cleanup (pkg/controller/finalizer): the objects of a deleted CRD are deleted and its resources
 *   no longer served. The double does this once the CRD is gone rather than behind the
 *   `customresourcecleanup.apiextensions.k8s.io` finalizer, so the CRD itself goes at once.
 */

import type { Catalog } from '../api/catalog.js';
import { rfc3339 } from '../api/clock.js';
import { R } from '../api/resources.js';
import { QueueController } from '../controllers/controller.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { specOf } from './crd-kind.js';
import { resourcesOf } from './served.js';

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export class CrdController extends QueueController {
  constructor(
    store: Store,
    private readonly catalog: Catalog,
    logger: DoubleLogger,
  ) {
    super(store, 'crd', logger);
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.crds) this.queue.add(e.object.metadata.name);
  }

  protected override startKeys(): string[] {
    return this.store.peekAll(R.crds).map((c) => c.metadata.name);
  }

  protected reconcile(name: string): void {
    const crd = this.store.peek(R.crds, undefined, name);
    if (!crd) {
      this.cleanUp(name);
      return;
    }
    const conflict = this.conflictOf(crd);
    const conditions: Condition[] = conflict
      ? [
          { type: 'NamesAccepted', status: 'False', ...conflict },
          {
            type: 'Established',
            status: 'False',
            reason: 'NotAccepted',
            message: 'not all names are accepted',
          },
        ]
      : [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          },
        ];
    if (!conflict) this.catalog.serve(name, resourcesOf(crd));
    this.store.mutate(R.crds, undefined, name, (draft) => {
      draft.status ??= {};
      const status = draft.status;
      const before = (status.conditions ?? []) as Condition[];
      status.conditions = conditions.map((c) => {
        const same = before.find((b) => b.type === c.type && b.status === c.status);
        return { ...c, lastTransitionTime: same?.lastTransitionTime ?? rfc3339() };
      });
      if (!conflict) status.acceptedNames = specOf(draft).names;
      return true;
    });
  }

  /** Another CRD of the same group that already has this plural or kind. */
  private conflictOf(crd: KubeObject): { reason: string; message: string } | undefined {
    const spec = specOf(crd);
    for (const other of this.store.peekAll(R.crds)) {
      if (other.metadata.name === crd.metadata.name || specOf(other).group !== spec.group) continue;
      const accepted = (other.status?.acceptedNames ?? {}) as { plural?: string; kind?: string };
      if (accepted.plural === spec.names.plural)
        return { reason: 'PluralConflict', message: `"${spec.names.plural}" is already in use` };
      if (accepted.kind === spec.names.kind)
        return { reason: 'KindConflict', message: `"${spec.names.kind}" is already in use` };
    }
    return undefined;
  }

  private cleanUp(name: string): void {
    for (const def of this.catalog.servedFor(name)) {
      for (const o of this.store.peekAll(def)) this.store.remove(def, o.metadata.namespace, o.metadata.name);
    }
    this.catalog.serve(name, []);
  }
}
