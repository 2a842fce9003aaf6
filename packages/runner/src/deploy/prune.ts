import { LabelKey, MANAGED_BY, type ResolvedPlan } from '@ferry/shared';
import type { OutputLines } from '../command/output-lines.js';
import { isNotFound } from './api-error.js';
import { callOptions, type KubeClients } from './kube-clients.js';

/**
 * Removes what the spec no longer declares and Ferry created: the Ingress when the environment
 * has none now. A volume claim is never removed (its data outlives the spec); the log says so.
 */
export async function pruneUndeclared(
  c: KubeClients,
  plan: ResolvedPlan,
  out: OutputLines,
  signal: AbortSignal,
): Promise<{ deleted: number }> {
  const { namespace } = plan;
  let deleted = 0;
  if (plan.deploy.ingress === null) {
    try {
      const ingress = await c.net.readNamespacedIngress(
        { name: plan.names.ingress, namespace },
        callOptions(signal),
      );
      if (ingress.metadata?.labels?.[LabelKey.managedBy] === MANAGED_BY) {
        await c.net.deleteNamespacedIngress({ name: plan.names.ingress, namespace }, callOptions(signal));
        out.line(`Ingress ${namespace}/${plan.names.ingress} deleted (the spec declares no ingress)`);
        deleted += 1;
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (plan.deploy.storage === null) {
    try {
      await c.core.readNamespacedPersistentVolumeClaim(
        { name: plan.names.volumeClaim, namespace },
        callOptions(signal),
      );
      out.line(
        `PersistentVolumeClaim ${namespace}/${plan.names.volumeClaim} is kept, though the spec declares no storage (delete it by hand if its data is not needed)`,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return { deleted };
}
