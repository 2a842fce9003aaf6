/**
 * A container's environment as the kubelet builds it: `envFrom` first, then `env` (values,
 * `$(VAR)` references, secretKeyRef/configMapKeyRef/fieldRef/resourceFieldRef). A missing
 * secret, config map or key that is not optional is a CreateContainerConfigError.
 */
import type { Container } from '../api/kinds/pod-spec.js';
import { parseQuantity } from '../api/quantity.js';
import type { KubeObject } from '../types.js';

export interface ConfigSource {
  secret(name: string): Record<string, string> | undefined;
  configMap(name: string): { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined;
}

export type EnvResult = { ok: true; env: [string, string][] } | { ok: false; message: string };

/** `$(NAME)` → its value when defined; `$$` → `$`; anything else is kept. */
export function expand(text: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '$' && text[i + 1] === '$') {
      out += '$';
      i++;
    } else if (ch === '$' && text[i + 1] === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? text.slice(i, close + 1);
      i = close;
    } else out += ch;
  }
  return out;
}

function fieldValue(pod: KubeObject, path: string): string | undefined {
  const meta = pod.metadata;
  const mapRef = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (mapRef) return (mapRef[1] === 'labels' ? meta.labels : meta.annotations)?.[mapRef[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace;
    case 'metadata.uid':
      return meta.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.hostIP':
    case 'status.podIP':
    case 'status.hostIPs':
    case 'status.podIPs':
      return '127.0.0.1';
    default:
      return undefined;
  }
}

function resourceValue(
  c: Container,
  resource: string,
  divisor: string | undefined,
  allocatable: { cpu: number; memory: number },
): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const raw =
    parseQuantity(c.resources?.[kind]?.[name]) ??
    (name === 'cpu' ? allocatable.cpu : name === 'memory' ? allocatable.memory : 0);
  const div = parseQuantity(divisor ?? '1') || 1;
  return String(Math.ceil(raw / div));
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

export function buildEnv(
  pod: KubeObject,
  c: Container,
  source: ConfigSource,
  allocatable: { cpu: number; memory: number },
): EnvResult {
  const ns = pod.metadata.namespace;
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.secretRef) {
      const data = source.secret(from.secretRef.name ?? '');
      if (!data) {
        if (from.secretRef.optional) continue;
        return { ok: false, message: `secret "${from.secretRef.name}" not found` };
      }
      for (const [k, v] of Object.entries(data)) env.set(prefix + k, decode(v));
    } else if (from.configMapRef) {
      const cm = source.configMap(from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        return { ok: false, message: `configmap "${from.configMapRef.name}" not found` };
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    }
  }
  const lookup = (name: string) => env.get(name);
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env.set(e.name, expand(e.value ?? '', lookup));
      continue;
    }
    if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const data = source.secret(ref.name ?? '');
      if (!data) {
        if (ref.optional) continue;
        return { ok: false, message: `secret "${ref.name}" not found` };
      }
      const v = data[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, message: `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` };
      }
      env.set(e.name, decode(v));
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = source.configMap(ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        return { ok: false, message: `configmap "${ref.name}" not found` };
      }
      const v =
        cm.data?.[ref.key] ??
        (cm.binaryData?.[ref.key] !== undefined ? decode(cm.binaryData[ref.key]!) : undefined);
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, message: `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` };
      }
      env.set(e.name, v);
    } else if (vf.fieldRef) {
      const v = fieldValue(pod, vf.fieldRef.fieldPath);
      if (v === undefined) return { ok: false, message: `unsupported fieldPath: ${vf.fieldRef.fieldPath}` };
      env.set(e.name, v);
    } else if (vf.resourceFieldRef) {
      env.set(
        e.name,
        resourceValue(
          c,
          vf.resourceFieldRef.resource,
          vf.resourceFieldRef.divisor as string | undefined,
          allocatable,
        ),
      );
    }
  }
  return { ok: true, env: [...env] };
}
