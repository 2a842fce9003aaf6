import { servicesWaitArgs } from '@ferry/runner';
import type { ContainerCreateOptions } from 'dockerode';
import type { ServiceJob, StageJob } from '../executor.js';
import { type ContainerSpecOptions, envList, hostConfig, ROOT_USER } from './container-spec.js';
import { Label, runnerLabels } from './labels.js';
import { containerName } from './runner-names.js';

/**
 * A job with services gets a network namespace of its own: the `net` container (runner image,
 * network `none`: loopback only, no ports on the host) holds it, and the services, the readiness
 * check and the step join it (`container:<net>`), so each finds the others at 127.0.0.1:<port>
 * and two runners' services never collide. The clone runs before, on the host network (it must
 * reach the git server); the commands then have loopback only.
 */
export function netContainerSpec(
  job: StageJob,
  id: string,
  options: ContainerSpecOptions,
): ContainerCreateOptions {
  return {
    name: containerName(id, 'net'),
    Image: options.runnerImage,
    Entrypoint: ['sleep', 'infinity'],
    Cmd: [],
    Labels: { ...runnerLabels(job, id), [Label.role]: 'net' },
    HostConfig: { ...hostConfig(id, options, 'none'), Mounts: [] },
  };
}

/** The network mode of the containers that join the runner's namespace. */
export function sharedNetwork(id: string): string {
  return `container:${containerName(id, 'net')}`;
}

/** A service: its image with its own entrypoint and the spec's env, in the runner's namespace. */
export function serviceContainerSpec(
  job: StageJob,
  id: string,
  service: ServiceJob,
  options: ContainerSpecOptions,
): ContainerCreateOptions {
  return {
    name: containerName(id, `svc-${service.name}`),
    Image: service.image,
    ...(service.command === undefined ? {} : { Cmd: [...service.command] }),
    Env: envList(service.env),
    Labels: { ...runnerLabels(job, id), [Label.role]: 'service', [Label.service]: service.name },
    HostConfig: { ...hostConfig(id, options, sharedNetwork(id)), Mounts: [] },
  };
}

/** `ferry-runner services wait` in the runner's namespace: ends when every service's port accepts. */
export function waitContainerSpec(
  job: StageJob,
  id: string,
  services: readonly ServiceJob[],
  options: ContainerSpecOptions,
): ContainerCreateOptions {
  return {
    name: containerName(id, 'wait'),
    Image: options.runnerImage,
    Entrypoint: ['ferry-runner'],
    Cmd: servicesWaitArgs(services),
    User: ROOT_USER,
    Labels: { ...runnerLabels(job, id), [Label.role]: 'wait' },
    HostConfig: { ...hostConfig(id, options, sharedNetwork(id)), Mounts: [] },
  };
}
