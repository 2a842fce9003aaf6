import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import type { ManifestInputs } from './inputs.js';
import { LabelKey, podAnnotations, serviceLabels, type Track, trackSelector } from './labels.js';
import { buildProbe } from './probes.js';
import type {
  ContainerManifest,
  EnvFromManifest,
  PodSecurityManifest,
  PodTemplateManifest,
} from './types.js';

/** The port's name on the container, the Service and the Ingress. */
export const PORT_NAME = 'http';
/** The volume holding the service's claim. */
export const DATA_VOLUME = 'data';

/** `PORT` first (the plan's port; a spec's own `PORT` would contradict the probes), then the spec's env. */
function containerEnv(plan: ResolvedPlan): { name: string; value: string }[] {
  const env = [{ name: 'PORT', value: String(plan.deploy.port) }];
  for (const [name, value] of Object.entries(plan.deploy.env)) if (name !== 'PORT') env.push({ name, value });
  return env;
}

/** Existing Secrets and ConfigMaps by name: their values never pass through Ferry. */
function containerEnvFrom(plan: ResolvedPlan): EnvFromManifest[] {
  return plan.deploy.envFrom.map((source) =>
    source.kind === 'secret'
      ? { secretRef: { name: source.name, optional: source.optional } }
      : { configMapRef: { name: source.name, optional: source.optional } },
  );
}

function containerResources(plan: ResolvedPlan): ContainerManifest['resources'] {
  const r = plan.deploy.resources;
  return {
    requests: { cpu: r.cpu, memory: r.memory },
    limits: { ...(r.cpuLimit === null ? {} : { cpu: r.cpuLimit }), memory: r.memoryLimit },
  };
}

/**
 * The `restricted` Pod Security Standard by default: the pod runs as non-root (the image's
 * numeric USER, or `runAsUser`) with the runtime's seccomp profile, and its container can neither
 * gain privileges nor keep capabilities. `baseline` (a service that must run as root, as its spec
 * says) keeps only the seccomp profile.
 */
function podSecurity(plan: ResolvedPlan): PodSecurityManifest {
  const { level, runAsUser } = plan.deploy.security ?? { level: 'restricted', runAsUser: null };
  return {
    ...(level === 'restricted' ? { runAsNonRoot: true as const } : {}),
    ...(runAsUser === null ? {} : { runAsUser }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function containerSecurity(plan: ResolvedPlan): Pick<ContainerManifest, 'securityContext'> {
  if ((plan.deploy.security?.level ?? 'restricted') === 'baseline') return {};
  return { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };
}

/** The pod template of the main or the canary Deployment: the same pods, another track label. */
export function buildPodTemplate(
  plan: ResolvedPlan,
  inputs: ManifestInputs,
  track: Track,
): PodTemplateManifest {
  const storage = plan.deploy.storage;
  const container: ContainerManifest = {
    name: plan.service,
    image: inputs.image,
    ports: [{ name: PORT_NAME, containerPort: plan.deploy.port, protocol: 'TCP' }],
    env: containerEnv(plan),
    envFrom: containerEnvFrom(plan),
    resources: containerResources(plan),
    readinessProbe: buildProbe(plan.deploy.readiness),
    ...(plan.deploy.liveness === null ? {} : { livenessProbe: buildProbe(plan.deploy.liveness) }),
    ...(storage === null ? {} : { volumeMounts: [{ name: DATA_VOLUME, mountPath: storage.mountPath }] }),
    ...containerSecurity(plan),
  };
  return {
    metadata: {
      labels: {
        ...serviceLabels(plan),
        ...trackSelector(plan, track),
        [LabelKey.version]: inputs.meta.commit.slice(0, 8),
      },
      annotations: podAnnotations(inputs.meta),
    },
    spec: {
      securityContext: podSecurity(plan),
      containers: [container],
      ...(inputs.registry === null ? {} : { imagePullSecrets: [{ name: plan.names.imagePullSecret }] }),
      ...(storage === null
        ? {}
        : { volumes: [{ name: DATA_VOLUME, persistentVolumeClaim: { claimName: plan.names.volumeClaim } }] }),
    },
  };
}
