/**
 * Table columns and cells per kind, as kubernetes v1.31 pkg/printers/internalversion/printers.go
 * defines them for `kubectl get` (priority 0; the `-o wide` columns have priority 1). Kinds not
 * listed get the apiserver's default table (k8s.io/apiserver pkg/registry/rest/table.go): Name,
 * Created At.
 */
import type { KubeObject } from '../types.js';
import { age } from './duration.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
  description: string;
}

type Cells = (o: KubeObject, now: number) => (string | number)[];

interface Printer {
  columns: Column[];
  cells: Cells;
}

const col = (name: string, type: Column['type'] = 'string', extra: Partial<Column> = {}): Column => ({
  name,
  type,
  description: extra.description ?? name,
  ...(extra.format ? { format: extra.format } : {}),
  ...(extra.priority ? { priority: extra.priority } : {}),
});
const nameCol = col('Name', 'string', {
  format: 'name',
  description: 'Name must be unique within a namespace.',
});
const ageCol = col('Age', 'string', { description: 'CreationTimestamp' });
const created = (o: KubeObject, now: number) => age(o.metadata.creationTimestamp, now);

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string };
    terminated?: { reason?: string; exitCode?: number; signal?: number };
  };
  lastState?: { terminated?: { finishedAt?: string } };
}

/** printPod's READY, STATUS and RESTARTS (init containers, waiting/terminated reasons, Terminating). */
function podCells(pod: KubeObject, now: number): (string | number)[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const containers: unknown[] = spec.containers ?? [];
  const statuses: ContainerStatus[] = status.containerStatuses ?? [];
  let reason: string = status.reason || status.phase || '';
  let restarts = 0;
  let initializing = false;
  const inits: ContainerStatus[] = status.initContainerStatuses ?? [];
  inits.forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (t) {
      reason = t.reason
        ? `Init:${t.reason}`
        : t.signal
          ? `Init:Signal:${t.signal}`
          : `Init:ExitCode:${t.exitCode}`;
      initializing = true;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
      initializing = true;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
    }
  });
  let ready = 0;
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    for (const c of [...statuses].reverse()) {
      restarts += c.restartCount ?? 0;
      const w = c.state?.waiting?.reason;
      const t = c.state?.terminated;
      if (w) reason = w;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready) {
        hasRunning = true;
        ready++;
      } else hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return [pod.metadata.name, `${ready}/${containers.length}`, reason, restarts, created(pod, now)];
}

const images = (o: KubeObject) => {
  const cs: { name?: string; image?: string }[] = o.spec?.template?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
};

/** The `-o wide` columns of workloads with a pod template (deployments, replicasets). */
const templateColumns = [
  col('Containers', 'string', { priority: 1, description: 'Names of each container in the template.' }),
  col('Images', 'string', {
    priority: 1,
    description: 'Images referenced by each container in the template.',
  }),
  col('Selector', 'string', { priority: 1, description: 'Label selector for pods.' }),
];
const templateCells = (o: KubeObject) => [...images(o), selectorText(o.spec?.selector)];

const selectorText = (sel: { matchLabels?: Record<string, string> } | undefined) =>
  Object.entries(sel?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '<none>';

const printers: Record<string, Printer> = {
  'core/pods': {
    columns: [
      nameCol,
      col('Ready', 'string', {
        description: 'The aggregate readiness state of this pod for accepting traffic.',
      }),
      col('Status', 'string', { description: 'The aggregate status of the containers in this pod.' }),
      col('Restarts', 'string', {
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      }),
      ageCol,
      col('IP', 'string', { priority: 1, description: 'IP address allocated to the pod.' }),
      col('Node', 'string', { priority: 1, description: 'Name of the node where the pod is scheduled.' }),
    ],
    cells: (o, now) => [...podCells(o, now), o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>'],
  },
  'apps/deployments': {
    columns: [
      nameCol,
      col('Ready', 'string', { description: 'Number of the pod with ready state' }),
      col('Up-to-date', 'integer', {
        description:
          'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      }),
      col('Available', 'integer', {
        description:
          'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      }),
      ageCol,
      ...templateColumns,
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      created(o, now),
      ...templateCells(o),
    ],
  },
  'apps/replicasets': {
    columns: [
      nameCol,
      col('Desired', 'integer', { description: 'Number of desired pods.' }),
      col('Current', 'integer', { description: 'Number of actual replicas.' }),
      col('Ready', 'integer', { description: 'The number of ready replicas for this replica set.' }),
      ageCol,
      ...templateColumns,
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.replicas ?? 0,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      created(o, now),
      ...templateCells(o),
    ],
  },
  'core/services': {
    columns: [
      nameCol,
      col('Type', 'string', { description: 'Type of the service.' }),
      col('Cluster-IP', 'string', { description: 'Cluster IP of the service.' }),
      col('External-IP', 'string', { description: 'External IPs of the service.' }),
      col('Port(s)', 'string', { description: 'The ports exposed by the service.' }),
      ageCol,
      col('Selector', 'string', { priority: 1, description: 'The label selector of the service.' }),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.type ?? 'ClusterIP',
      o.spec?.clusterIP || '<none>',
      (o.spec?.externalIPs ?? []).join(',') || '<none>',
      ((o.spec?.ports ?? []) as { port: number; nodePort?: number; protocol?: string }[])
        .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
        .join(',') || '<none>',
      created(o, now),
      Object.entries((o.spec?.selector ?? {}) as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
    ],
  },
  'core/namespaces': {
    columns: [nameCol, col('Status', 'string', { description: 'The status of the namespace' }), ageCol],
    cells: (o, now) => [o.metadata.name, o.status?.phase ?? '', created(o, now)],
  },
  'core/secrets': {
    columns: [nameCol, col('Type'), col('Data', 'string'), ageCol],
    cells: (o, now) => [
      o.metadata.name,
      o.type ?? 'Opaque',
      Object.keys(o.data ?? {}).length,
      created(o, now),
    ],
  },
  'core/configmaps': {
    columns: [nameCol, col('Data', 'string'), ageCol],
    cells: (o, now) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
      created(o, now),
    ],
  },
  'core/serviceaccounts': {
    columns: [nameCol, col('Secrets', 'string'), ageCol],
    cells: (o, now) => [o.metadata.name, (o.secrets ?? []).length, created(o, now)],
  },
  'rbac.authorization.k8s.io/rolebindings': {
    columns: [nameCol, col('Role', 'string'), ageCol],
    cells: (o, now) => [o.metadata.name, `${o.roleRef?.kind}/${o.roleRef?.name}`, created(o, now)],
  },
  'rbac.authorization.k8s.io/clusterrolebindings': {
    columns: [nameCol, col('Role', 'string'), ageCol],
    cells: (o, now) => [o.metadata.name, `${o.roleRef?.kind}/${o.roleRef?.name}`, created(o, now)],
  },
};

/** The apiserver's default table for kinds without a printer. */
const defaultPrinter: Printer = {
  columns: [
    nameCol,
    col('Created At', 'date', {
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
    }),
  ],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

export function printerFor(resourceKey: string): Printer {
  return printers[resourceKey] ?? defaultPrinter;
}
