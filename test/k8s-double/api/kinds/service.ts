import type { KubeObject } from '../../types.js';
import type { FieldError } from '../status.js';
import type { KindBehaviour } from './kind.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

const ports = (obj: KubeObject): ServicePort[] => (obj.spec?.ports ?? []) as ServicePort[];
const needsNodePort = (obj: KubeObject) => obj.spec?.type === 'NodePort' || obj.spec?.type === 'LoadBalancer';

export const serviceKind: KindBehaviour = {
  nameRule: 'dns1035',
  defaults(obj) {
    obj.spec ??= {};
    const spec = obj.spec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    if (needsNodePort(obj)) spec.externalTrafficPolicy ??= 'Cluster';
    for (const p of ports(obj)) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  },
  validate(obj, old) {
    const errors: FieldError[] = [];
    const list = ports(obj);
    if (obj.spec?.type !== 'ExternalName' && list.length === 0)
      errors.push({ type: 'Required', field: 'spec.ports' });
    const names = new Set<string>();
    list.forEach((p, i) => {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        errors.push({
          type: 'Invalid',
          field: `spec.ports[${i}].port`,
          value: p.port,
          detail: 'must be between 1 and 65535, inclusive',
        });
      }
      if (list.length > 1 && !p.name) errors.push({ type: 'Required', field: `spec.ports[${i}].name` });
      if (p.name) {
        if (names.has(p.name))
          errors.push({ type: 'Duplicate', field: `spec.ports[${i}].name`, value: p.name });
        names.add(p.name);
      }
    });
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (!types.includes(obj.spec?.type)) {
      errors.push({
        type: 'NotSupported',
        field: 'spec.type',
        value: obj.spec?.type,
        detail: 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      });
    }
    if (old?.spec?.clusterIP && obj.spec?.clusterIP && old.spec.clusterIP !== obj.spec.clusterIP) {
      errors.push({
        type: 'Invalid',
        field: 'spec.clusterIPs[0]',
        value: obj.spec.clusterIP,
        detail: 'may not change once set',
      });
    }
    return errors;
  },
  async prepareCreate(obj, ctx) {
    if (obj.spec.type !== 'ExternalName' && obj.spec.clusterIP !== 'None') {
      obj.spec.clusterIP = ctx.allocateClusterIP();
    }
    if (obj.spec.clusterIP) obj.spec.clusterIPs = [obj.spec.clusterIP];
    if (needsNodePort(obj)) {
      for (const p of ports(obj)) p.nodePort = await ctx.allocateNodePort(p.nodePort);
    }
    obj.status = {
      loadBalancer: obj.spec.type === 'LoadBalancer' ? { ingress: [{ ip: '127.0.0.1', ipMode: 'VIP' }] } : {},
    };
  },
  async prepareUpdate(obj, old, ctx) {
    obj.spec.clusterIP ??= old.spec?.clusterIP;
    obj.spec.clusterIPs ??= old.spec?.clusterIPs;
    const oldPorts = ports(old);
    if (needsNodePort(obj)) {
      for (const p of ports(obj)) {
        p.nodePort ??= oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol)?.nodePort;
        if (!oldPorts.some((o) => o.nodePort === p.nodePort))
          p.nodePort = await ctx.allocateNodePort(p.nodePort);
      }
    }
    if (!needsNodePort(obj)) for (const p of ports(obj)) delete p.nodePort;
    const kept = new Set(ports(obj).map((p) => p.nodePort));
    for (const o of oldPorts) if (o.nodePort && !kept.has(o.nodePort)) ctx.releaseNodePort(o.nodePort);
  },
  onRemoved(obj, ctx) {
    for (const p of ports(obj)) if (p.nodePort) ctx.releaseNodePort(p.nodePort);
  },
};
