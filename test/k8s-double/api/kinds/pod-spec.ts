/** Defaulting and validation of a PodSpec, shared by pods and the templates of workloads. */
import type { V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';
import { dns1123Label } from '../names.js';
import { isQuantity, parseQuantity } from '../quantity.js';
import type { FieldError } from '../status.js';

export type PodSpec = V1PodSpec;
export type Container = V1Container;

/** `Always` for `:latest` or untagged references, `IfNotPresent` otherwise (the apiserver's rule). */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.lastIndexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: V1Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= '/';
    probe.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  defaultProbe(c.readinessProbe);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.startupProbe);
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 0o644;
    if (v.configMap) v.configMap.defaultMode ??= 0o644;
  }
}

const envNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const portNameRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validateProbe(probe: V1Probe | undefined, path: string): FieldError[] {
  if (!probe) return [];
  const handlers = [probe.httpGet, probe.tcpSocket, probe.exec, probe.grpc].filter((h) => h !== undefined);
  if (handlers.length === 0)
    return [{ type: 'Required', field: path, detail: 'must specify a handler type' }];
  if (handlers.length > 1)
    return [{ type: 'Forbidden', field: path, detail: 'may not specify more than 1 handler type' }];
  return [];
}

function validateContainer(
  c: Container,
  path: string,
  volumeNames: Set<string>,
  isInit: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!c.name) errors.push({ type: 'Required', field: `${path}.name` });
  else errors.push(...dns1123Label(`${path}.name`, c.name));
  if (!c.image) errors.push({ type: 'Required', field: `${path}.image` });
  c.ports?.forEach((p, i) => {
    const port = p.containerPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      errors.push({
        type: 'Invalid',
        field: `${path}.ports[${i}].containerPort`,
        value: port,
        detail: 'must be between 1 and 65535, inclusive',
      });
    }
    if (p.name !== undefined && (p.name.length > 15 || !portNameRe.test(p.name))) {
      errors.push({
        type: 'Invalid',
        field: `${path}.ports[${i}].name`,
        value: p.name,
        detail: 'must be no more than 15 characters and a lowercase RFC 6335 service name',
      });
    }
  });
  c.env?.forEach((e, i) => {
    if (!e.name) errors.push({ type: 'Required', field: `${path}.env[${i}].name` });
    else if (!envNameRe.test(e.name)) {
      errors.push({
        type: 'Invalid',
        field: `${path}.env[${i}].name`,
        value: e.name,
        detail:
          "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
      });
    }
    const sources = [
      e.valueFrom?.secretKeyRef,
      e.valueFrom?.configMapKeyRef,
      e.valueFrom?.fieldRef,
      e.valueFrom?.resourceFieldRef,
    ].filter(Boolean);
    if (e.valueFrom && sources.length !== 1) {
      errors.push({
        type: 'Invalid',
        field: `${path}.env[${i}].valueFrom`,
        value: '',
        detail: 'may not have more than one field specified at a time',
      });
    }
    if (e.valueFrom && e.value) {
      errors.push({
        type: 'Invalid',
        field: `${path}.env[${i}].valueFrom`,
        value: '',
        detail: 'may not be specified when `value` is not empty',
      });
    }
  });
  c.volumeMounts?.forEach((m, i) => {
    if (!volumeNames.has(m.name))
      errors.push({ type: 'NotFound', field: `${path}.volumeMounts[${i}].name`, value: m.name });
    if (!m.mountPath) errors.push({ type: 'Required', field: `${path}.volumeMounts[${i}].mountPath` });
  });
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(c.resources?.[kind] ?? {})) {
      if (!isQuantity(q))
        errors.push({
          type: 'Invalid',
          field: `${path}.resources.${kind}[${name}]`,
          value: q,
          detail: 'must be a valid quantity',
        });
    }
  }
  for (const name of Object.keys(c.resources?.requests ?? {})) {
    const req = parseQuantity(c.resources?.requests?.[name]);
    const lim = parseQuantity(c.resources?.limits?.[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      errors.push({
        type: 'Invalid',
        field: `${path}.resources.requests`,
        value: c.resources?.requests?.[name],
        detail: `must be less than or equal to ${name} limit of ${c.resources?.limits?.[name]}`,
      });
    }
  }
  if (isInit && c.readinessProbe)
    errors.push({
      type: 'Forbidden',
      field: `${path}.readinessProbe`,
      detail: 'may not be set for init containers without restartPolicy=Always',
    });
  errors.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`));
  errors.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`));
  errors.push(...validateProbe(c.startupProbe, `${path}.startupProbe`));
  return errors;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!spec) return [{ type: 'Required', field: path }];
  const errors: FieldError[] = [];
  const volumeNames = new Set<string>();
  spec.volumes?.forEach((v, i) => {
    if (!v.name) errors.push({ type: 'Required', field: `${path}.volumes[${i}].name` });
    else {
      errors.push(...dns1123Label(`${path}.volumes[${i}].name`, v.name));
      if (volumeNames.has(v.name))
        errors.push({ type: 'Duplicate', field: `${path}.volumes[${i}].name`, value: v.name });
      volumeNames.add(v.name);
    }
  });
  if (!spec.containers || spec.containers.length === 0)
    errors.push({ type: 'Required', field: `${path}.containers` });
  const names = new Set<string>();
  const check = (list: Container[] | undefined, field: string, isInit: boolean) =>
    list?.forEach((c, i) => {
      errors.push(...validateContainer(c, `${path}.${field}[${i}]`, volumeNames, isInit));
      if (c.name && names.has(c.name))
        errors.push({ type: 'Duplicate', field: `${path}.${field}[${i}].name`, value: c.name });
      names.add(c.name);
    });
  check(spec.initContainers, 'initContainers', true);
  check(spec.containers, 'containers', false);
  const policies = ['Always', 'OnFailure', 'Never'];
  if (spec.restartPolicy && !policies.includes(spec.restartPolicy)) {
    errors.push({
      type: 'NotSupported',
      field: `${path}.restartPolicy`,
      value: spec.restartPolicy,
      detail: 'supported values: "Always", "OnFailure", "Never"',
    });
  }
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds > 0)) {
    errors.push({
      type: 'Invalid',
      field: `${path}.activeDeadlineSeconds`,
      value: spec.activeDeadlineSeconds,
      detail: 'must be between 1 and 2147483647, inclusive',
    });
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errors.push({
      type: 'Invalid',
      field: `${path}.terminationGracePeriodSeconds`,
      value: spec.terminationGracePeriodSeconds,
      detail: 'must be greater than or equal to 0',
    });
  }
  return errors;
}
