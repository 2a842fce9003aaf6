/**
 * Pod Security admission (k8s.io/pod-security-admission/admission/admission.go, ValidatePod,
 * ValidatePodController and EvaluatePod): pods are refused when they violate the namespace's
 * `enforce` level — 403 `pods "x" is forbidden: violates PodSecurity "restricted:latest": …`
 * (apierrors.NewForbidden) — and get a warning `would violate PodSecurity "<warn>": …` when they
 * pass enforce but not `warn`. Workload controllers (here Deployments and ReplicaSets) are never
 * refused; their pod template gets the warning only.
 */
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../../types.js';
import { levelVersionString, policyOf, violations } from './policy.js';

export interface PodSecurityOutcome {
  /** The text after `is forbidden: `, when enforce refuses the pod. */
  forbidden?: string;
  warnings: string[];
}

function evaluate(
  namespaceLabels: Record<string, string> | undefined,
  meta: V1ObjectMeta,
  spec: V1PodSpec,
  enforce: boolean,
): PodSecurityOutcome {
  const policy = policyOf(namespaceLabels);
  if (enforce) {
    const detail = violations(policy.enforce.level, meta, spec);
    if (detail)
      return {
        forbidden: `violates PodSecurity "${levelVersionString(policy.enforce)}": ${detail}`,
        warnings: [],
      };
  }
  const warn = violations(policy.warn.level, meta, spec);
  return {
    warnings: warn ? [`would violate PodSecurity "${levelVersionString(policy.warn)}": ${warn}`] : [],
  };
}

/** A pod create (or an update that changes its containers' images: isSignificantPodUpdate). */
export function admitPod(
  namespaceLabels: Record<string, string> | undefined,
  pod: KubeObject,
): PodSecurityOutcome {
  return evaluate(
    namespaceLabels,
    pod.metadata as unknown as V1ObjectMeta,
    (pod.spec ?? {}) as V1PodSpec,
    true,
  );
}

/** A Deployment/ReplicaSet create or update: warnings for its pod template, never a refusal. */
export function admitPodController(
  namespaceLabels: Record<string, string> | undefined,
  obj: KubeObject,
): PodSecurityOutcome {
  const template = obj.spec?.template as { metadata?: V1ObjectMeta; spec?: V1PodSpec } | undefined;
  if (!template) return { warnings: [] };
  return evaluate(namespaceLabels, template.metadata ?? {}, template.spec ?? ({} as V1PodSpec), false);
}

/** Whether a pod update is one Pod Security evaluates: containers added/removed or images changed. */
export function isSignificantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const images = (o: KubeObject) =>
    [...(o.spec?.initContainers ?? []), ...(o.spec?.containers ?? [])].map(
      (c: { image?: string }) => c.image,
    );
  return JSON.stringify(images(pod)) !== JSON.stringify(images(old));
}
