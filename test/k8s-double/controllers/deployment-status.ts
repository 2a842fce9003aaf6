/** Deployment status from its ReplicaSets (pure), with the controller's condition rules. */
import { rfc3339 } from '../api/clock.js';
import type { KubeObject } from '../types.js';
import { surgeAndUnavailable } from './rollout.js';

interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

const sum = (list: KubeObject[], f: (rs: KubeObject) => number) => list.reduce((s, rs) => s + f(rs), 0);

/** SetDeploymentCondition: same status and reason → unchanged; same status → transition time kept. */
function setCondition(list: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const current = list.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return list;
  const next =
    current && current.status === c.status ? { ...c, lastTransitionTime: current.lastTransitionTime } : c;
  return [...list.filter((x) => x.type !== c.type), next];
}

export function deploymentStatus(
  d: KubeObject,
  newRs: KubeObject | undefined,
  old: KubeObject[],
  created: boolean,
  now: Date,
) {
  const all = newRs ? [newRs, ...old] : old;
  const desired: number = d.spec?.replicas ?? 1;
  const prev = d.status ?? {};
  const status = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRs?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: sum(all, (rs) => rs.status?.availableReplicas ?? 0),
    unavailableReplicas: 0,
  };
  status.unavailableReplicas = Math.max(
    0,
    sum(all, (rs) => rs.spec?.replicas ?? 0) - status.availableReplicas,
  );
  const time = rfc3339(now);
  const cond = (
    type: string,
    s: DeploymentCondition['status'],
    reason: string,
    message: string,
  ): DeploymentCondition => ({
    type,
    status: s,
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason,
    message,
  });

  let conditions: DeploymentCondition[] = structuredClone(prev.conditions ?? []);
  const { unavailable } = surgeAndUnavailable(desired, d.spec?.strategy?.rollingUpdate);
  conditions =
    status.availableReplicas >= desired - unavailable
      ? setCondition(
          conditions,
          cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        )
      : setCondition(
          conditions,
          cond(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
        );

  const rsName = newRs?.metadata.name ?? '';
  const current = conditions.find((c) => c.type === 'Progressing');
  const complete =
    newRs !== undefined &&
    status.updatedReplicas === desired &&
    status.replicas === desired &&
    status.availableReplicas === desired &&
    old.every((rs) => (rs.spec?.replicas ?? 0) === 0);
  const oldReplicasBefore = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const progressing =
    status.updatedReplicas > (prev.updatedReplicas ?? 0) ||
    status.replicas - status.updatedReplicas < oldReplicasBefore ||
    status.readyReplicas > (prev.readyReplicas ?? 0) ||
    status.availableReplicas > (prev.availableReplicas ?? 0);
  const deadline: number | undefined = d.spec?.progressDeadlineSeconds;

  if (d.spec?.paused) {
    conditions = setCondition(
      conditions,
      cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'),
    );
  } else if (created) {
    conditions = setCondition(
      conditions,
      cond('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`),
    );
  } else if (complete) {
    conditions = setCondition(
      conditions,
      cond(
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
      ),
    );
  } else if (progressing) {
    const c = cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
    conditions = [...conditions.filter((x) => x.type !== 'Progressing'), c];
  } else if (current && deadline !== undefined && current.reason !== 'NewReplicaSetAvailable') {
    const timedOut =
      current.reason === 'ProgressDeadlineExceeded' ||
      Date.parse(current.lastUpdateTime) + deadline * 1000 < now.getTime();
    if (timedOut) {
      conditions = setCondition(
        conditions,
        cond(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
        ),
      );
    }
  } else if (!current && newRs) {
    conditions = setCondition(
      conditions,
      cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
    );
  }
  const order = ['Available', 'Progressing'];
  conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return { ...status, conditions, ...(prev.collisionCount ? { collisionCount: prev.collisionCount } : {}) };
}
