/**
 * The baseline Pod Security Standard: one check per file of k8s.io/pod-security-admission/policy
 * (check_<id>.go, kubernetes/pod-security-admission 8f84a87), at the version each had in v1.31.
 * Reasons and details are the upstream texts.
 */
import type { V1Container, V1PodSpec, V1SELinuxOptions } from '@kubernetes/client-node';
import {
  allowed,
  type Check,
  containersOf,
  containersPhrase,
  deny,
  goQuote,
  joinQuote,
  pluralize,
  sortedSet,
} from './helpers.js';

const sc = (c: V1Container) => c.securityContext;

/** check_appArmorProfile.go (1.0). */
const appArmorProfile: Check = {
  id: 'appArmorProfile',
  level: 'baseline',
  check(meta, spec) {
    const okType = (t: string) => t === 'RuntimeDefault' || t === 'Localhost';
    const okAnnotation = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');
    const badSetters: string[] = [];
    const badValues = new Set<string>();
    const podProfile = spec.securityContext?.appArmorProfile;
    if (podProfile && !okType(podProfile.type)) {
      badSetters.push('pod');
      badValues.add(podProfile.type);
    }
    const badContainers: string[] = [];
    for (const c of containersOf(spec)) {
      const p = sc(c)?.appArmorProfile;
      if (p && !okType(p.type)) {
        badContainers.push(c.name);
        badValues.add(p.type);
      }
    }
    if (badContainers.length > 0) badSetters.push(containersPhrase(badContainers));
    const prefix = 'container.apparmor.security.beta.kubernetes.io/';
    const forbiddenAnnotations = Object.entries(meta.annotations ?? {})
      .filter(([k, v]) => k.startsWith(prefix) && !okAnnotation(v))
      .map(([k, v]) => `${k}=${goQuote(v)}`)
      .sort();
    const badValueList = [...sortedSet(badValues), ...forbiddenAnnotations];
    if (forbiddenAnnotations.length > 0)
      badSetters.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
    if (badSetters.length === 0) return allowed;
    return deny(
      pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
      `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
    );
  },
};

const defaultCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** check_capabilities_baseline.go (1.0). */
const capabilitiesBaseline: Check = {
  id: 'capabilities_baseline',
  level: 'baseline',
  check(_meta, spec) {
    const bad: string[] = [];
    const caps = new Set<string>();
    for (const c of containersOf(spec)) {
      const added = (sc(c)?.capabilities?.add ?? []).filter((cap) => !defaultCapabilities.has(cap));
      if (added.length > 0) bad.push(c.name);
      for (const cap of added) caps.add(cap);
    }
    if (bad.length === 0) return allowed;
    return deny(
      'non-default capabilities',
      `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`,
    );
  },
};

/** check_hostNamespaces.go (1.0). */
const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  check(_meta, spec) {
    const used = [
      spec.hostNetwork ? 'hostNetwork=true' : '',
      spec.hostPID ? 'hostPID=true' : '',
      spec.hostIPC ? 'hostIPC=true' : '',
    ].filter((s) => s !== '');
    return used.length === 0 ? allowed : deny('host namespaces', used.join(', '));
  },
};

/** check_hostPathVolumes.go (1.0). */
export const hostPathVolumes: Check = {
  id: 'hostPathVolumes',
  level: 'baseline',
  check(_meta, spec) {
    const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
    if (names.length === 0) return allowed;
    return deny('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`);
  },
};

/** check_hostPorts.go (1.0). */
const hostPorts: Check = {
  id: 'hostPorts',
  level: 'baseline',
  check(_meta, spec) {
    const bad: string[] = [];
    const ports = new Set<string>();
    for (const c of containersOf(spec)) {
      const used = (c.ports ?? []).filter((p) => (p.hostPort ?? 0) !== 0);
      if (used.length > 0) bad.push(c.name);
      for (const p of used) ports.add(String(p.hostPort));
    }
    if (bad.length === 0) return allowed;
    const list = sortedSet(ports);
    return deny(
      'hostPort',
      `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
    );
  },
};

/** check_privileged.go (1.0). */
const privileged: Check = {
  id: 'privileged',
  level: 'baseline',
  check(_meta, spec) {
    const bad = containersOf(spec)
      .filter((c) => sc(c)?.privileged === true)
      .map((c) => c.name);
    if (bad.length === 0) return allowed;
    return deny('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`);
  },
};

/** check_procMount_baseline.go (1.0; the user-namespace relaxation came in 1.35). */
const procMount: Check = {
  id: 'procMount',
  level: 'baseline',
  check(_meta, spec) {
    const bad: string[] = [];
    const types = new Set<string>();
    for (const c of containersOf(spec)) {
      const t = sc(c)?.procMount;
      if (t !== undefined && t !== 'Default') {
        bad.push(c.name);
        types.add(t);
      }
    }
    if (bad.length === 0) return allowed;
    return deny(
      'procMount',
      `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
    );
  },
};

/** check_seLinuxOptions.go (1.31 allowed types). */
const seLinuxOptions: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  check(_meta, spec) {
    const allowedTypes = new Set([
      '',
      'container_t',
      'container_init_t',
      'container_kvm_t',
      'container_engine_t',
    ]);
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (o: V1SELinuxOptions) => {
      let ok = true;
      if (!allowedTypes.has(o.type ?? '')) {
        ok = false;
        badTypes.add(o.type ?? '');
      }
      if (o.user) {
        ok = false;
        setUser = true;
      }
      if (o.role) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const badSetters: string[] = [];
    const podOpts = spec.securityContext?.seLinuxOptions;
    if (podOpts && !valid(podOpts)) badSetters.push('pod');
    const bad = containersOf(spec)
      .filter((c) => {
        const o = sc(c)?.seLinuxOptions;
        return o !== undefined && !valid(o);
      })
      .map((c) => c.name);
    if (bad.length > 0) badSetters.push(containersPhrase(bad));
    if (badSetters.length === 0) return allowed;
    const data: string[] = [];
    if (badTypes.size > 0)
      data.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return deny(
      'seLinuxOptions',
      `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    );
  },
};

const validSeccomp = (t: string) => t === 'Localhost' || t === 'RuntimeDefault';

/**
 * Explicitly bad seccomp types on the pod or containers (shared by the baseline and restricted
 * checks); `implicit` collects containers that set none, for the restricted check.
 */
export function seccompSetters(spec: V1PodSpec): {
  badSetters: string[];
  badValues: string[];
  podValid: boolean;
  unset: string[];
} {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  let podValid = false;
  const pod = spec.securityContext?.seccompProfile;
  if (pod) {
    if (!validSeccomp(pod.type)) {
      badSetters.push('pod');
      badValues.add(pod.type);
    } else podValid = true;
  }
  const bad: string[] = [];
  const unset: string[] = [];
  for (const c of containersOf(spec)) {
    const p = sc(c)?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        bad.push(c.name);
        badValues.add(p.type);
      }
    } else unset.push(c.name);
  }
  if (bad.length > 0) badSetters.push(containersPhrase(bad));
  return { badSetters, badValues: sortedSet(badValues), podValid, unset };
}

/** check_seccompProfile_baseline.go (1.19). */
export const seccompProfileBaseline: Check = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  check(_meta, spec) {
    const { badSetters, badValues } = seccompSetters(spec);
    if (badSetters.length === 0) return allowed;
    return deny(
      'seccompProfile',
      `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(badValues)}`,
    );
  },
};

/** check_sysctls.go (the 1.29 allowed set, in force up to 1.31). */
const sysctls: Check = {
  id: 'sysctls',
  level: 'baseline',
  check(_meta, spec) {
    const ok = new Set([
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
      'net.ipv4.ip_local_reserved_ports',
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ]);
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !ok.has(n));
    return bad.length === 0 ? allowed : deny('forbidden sysctls', bad.join(', '));
  },
};

/** check_windowsHostProcess.go (1.0). */
const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  check(_meta, spec) {
    const setters: string[] = [];
    if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
    const bad = containersOf(spec)
      .filter((c) => sc(c)?.windowsOptions?.hostProcess === true)
      .map((c) => c.name);
    if (bad.length > 0) setters.push(containersPhrase(bad));
    if (setters.length === 0) return allowed;
    return deny(
      'hostProcess',
      `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    );
  },
};

export const baselineChecks: Check[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
];
