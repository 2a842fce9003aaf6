/**
 * Leftovers: Docker containers labelled by a double whose process is gone (a crashed test run),
 * and the temp directories of such doubles. A running double's objects are never touched.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { LABEL, LABEL_INSTANCE, LABEL_PID } from './pods/labels.js';

export const ROOT_PREFIX = 'k8s-double-';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Containers of one double instance (or of every double when `instance` is unset). */
export async function listDoubleContainers(
  docker: Dockerode,
  instance?: string,
): Promise<Dockerode.ContainerInfo[]> {
  const label = instance ? `${LABEL_INSTANCE}=${instance}` : `${LABEL}=1`;
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

export async function removeContainers(docker: Dockerode, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}

/** Removes what doubles in dead processes left behind; `all` also takes live doubles' objects. */
export async function sweepOrphans(
  docker: Dockerode | undefined,
  all = false,
): Promise<{ containers: number; dirs: number }> {
  let containers = 0;
  if (docker) {
    const found = await listDoubleContainers(docker).catch(() => []);
    const orphans = found.filter((c) => all || !alive(Number(c.Labels?.[LABEL_PID])));
    await removeContainers(
      docker,
      orphans.map((c) => c.Id),
    );
    containers = orphans.length;
  }
  let dirs = 0;
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!entry.startsWith(ROOT_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
    if (all || (pid > 0 && !alive(pid))) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      dirs++;
    }
  }
  return { containers, dirs };
}
