import { cacheArgs, servicesWaitArgs } from '@ferry/runner';
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import type { StageJob } from '../executor.js';

/** The native sidecar of each service: `service-<name>`. */
export const SERVICE_PREFIX = 'service-';
/** The init container that waits until every service's port accepts (runner image). */
export const SERVICES_WAIT_CONTAINER = 'services-wait';
export const CACHE_RESTORE_CONTAINER = 'cache-restore';
/** The main container that saves the cache once the step passed (runner image). */
export const CACHE_SAVE_CONTAINER = 'cache-save';
export const CACHE_VOLUME = 'cache';
export const CACHE_DIR = '/cache';
/** Where the step leaves its exit code for the cache-save container (an emptyDir). */
export const STATUS_VOLUME = 'status';
export const STATUS_DIR = '/ferry-status';
export const STEP_EXIT_FILE = `${STATUS_DIR}/exit`;

/** Where the kubernetes executor keeps caches (config `executor.kubernetes.cache`). */
export interface PodCacheSettings {
  /** A PersistentVolumeClaim in the runner namespace; each project's store is its directory `p<id>`. */
  claimName: string;
  maxBytes: number;
}

export interface PodExtrasContext {
  runnerImage: string;
  workspaceMount: { name: string; mountPath: string };
  /** The security context, env and mounts every runner-image container gets. */
  runnerContainer: (name: string, command: string[]) => V1Container;
  /** Requests = limits of each service container. */
  serviceResources: { cpu: string; memory: string };
  cache?: PodCacheSettings;
}

/** An exit hook of the step's script (stageScript): its exit code lands where cache-save reads it. */
export const recordExitCode = `printf "%s" "$ferry_status" > ${STEP_EXIT_FILE}`;

/**
 * The sidecars, init containers and volumes a job's services and cache add to its runner pod.
 * Pure.
 *
 * - Each service is a native sidecar (an init container with `restartPolicy: Always`, Kubernetes
 *   ≥ 1.29, KEP-753): it starts before the step and shares the pod's network, so it is at
 *   127.0.0.1:<port>; the kubelet stops it after the step (and cache-save) ended. The sidecars come
 *   first (`sidecars`), before the clone: the kubelet starts the next init container as soon as a
 *   sidecar has started, so the services boot while the clone and the cache restore run.
 * - `services-wait` (runner image), an init container after the clone and the restore: the step
 *   starts only when it ends well (`ferry-runner services wait`), and the pod fails naming the late
 *   service otherwise.
 * - With `cache` settings: `cache-restore` (init, after the clone) and, when the job may save,
 *   `cache-save` beside the step, waiting for the step's exit code in an emptyDir (`recordExitCode`).
 *   Only these two containers (runner image, Ferry's program) mount the claim, and they use the
 *   project's directory `p<project id>` only, so a job's script never sees another project's cache.
 */
export function podExtras(
  job: StageJob,
  ctx: PodExtrasContext,
): {
  sidecars: V1Container[];
  afterCheckout: V1Container[];
  main: V1Container[];
  volumes: V1Volume[];
  stepMounts: V1Container['volumeMounts'];
} {
  const services = job.services ?? [];
  const sidecars: V1Container[] = services.map((service) => ({
    name: `${SERVICE_PREFIX}${service.name}`,
    image: service.image,
    restartPolicy: 'Always',
    ...(service.command === undefined ? {} : { args: [...service.command] }),
    env: Object.entries(service.env).map(([name, value]) => ({ name, value: value.replaceAll('$', '$$') })),
    resources: { requests: { ...ctx.serviceResources }, limits: { ...ctx.serviceResources } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  }));
  const afterCheckout: V1Container[] = [];
  const main: V1Container[] = [];
  const volumes: V1Volume[] = [];
  let stepMounts: V1Container['volumeMounts'] = [];
  if (job.cache !== undefined && ctx.cache !== undefined) {
    // The whole claim, but only in Ferry's own cache containers (the script never mounts it), each
    // project's store its own directory: a sub-path mount would be created root-owned by the
    // kubelet, where the non-root runner could not write.
    const cacheMount = { name: CACHE_VOLUME, mountPath: CACHE_DIR };
    const store = `${CACHE_DIR}/p${job.project.id}`;
    const command = (action: 'restore' | 'save') => [
      'ferry-runner',
      ...cacheArgs(
        action,
        job.cache as NonNullable<StageJob['cache']>,
        store,
        ctx.workspaceMount.mountPath,
        ctx.cache?.maxBytes ?? 0,
      ),
    ];
    const restore = ctx.runnerContainer(CACHE_RESTORE_CONTAINER, command('restore'));
    afterCheckout.push({ ...restore, volumeMounts: [...(restore.volumeMounts ?? []), cacheMount] });
    volumes.push({ name: CACHE_VOLUME, persistentVolumeClaim: { claimName: ctx.cache.claimName } });
    if (job.cache.save) {
      const save = ctx.runnerContainer(CACHE_SAVE_CONTAINER, [
        ...command('save'),
        '--after-exit-file',
        STEP_EXIT_FILE,
      ]);
      main.push({
        ...save,
        volumeMounts: [
          ...(save.volumeMounts ?? []),
          cacheMount,
          { name: STATUS_VOLUME, mountPath: STATUS_DIR },
        ],
      });
      volumes.push({ name: STATUS_VOLUME, emptyDir: {} });
      stepMounts = [{ name: STATUS_VOLUME, mountPath: STATUS_DIR }];
    }
  }
  if (services.some((s) => s.readyTcp !== undefined)) {
    afterCheckout.push(
      ctx.runnerContainer(SERVICES_WAIT_CONTAINER, ['ferry-runner', ...servicesWaitArgs(services)]),
    );
  }
  return { sidecars, afterCheckout, main, volumes, stepMounts };
}
