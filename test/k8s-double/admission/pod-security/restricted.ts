/**
 * The restricted Pod Security Standard, on top of baseline: check_<id>.go of
 * k8s.io/pod-security-admission/policy (kubernetes/pod-security-admission 8f84a87) at v1.31.
 */

import { seccompSetters } from './baseline.js';
import {
  allowed,
  type Check,
  containersOf,
  containersPhrase,
  deny,
  isWindows,
  joinQuote,
  sortedSet,
} from './helpers.js';

/** check_allowPrivilegeEscalation.go (1.25: Windows pods are exempt). */
const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  check(_meta, spec) {
    if (isWindows(spec)) return allowed;
    const bad = containersOf(spec)
      .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
      .map((c) => c.name);
    if (bad.length === 0) return allowed;
    return deny(
      'allowPrivilegeEscalation != false',
      `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    );
  },
};

/** check_capabilities_restricted.go (1.25): drop ALL, add at most NET_BIND_SERVICE. */
const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  overrides: ['capabilities_baseline'],
  check(_meta, spec) {
    if (isWindows(spec)) return allowed;
    const missingDropAll: string[] = [];
    const adding: string[] = [];
    const forbidden = new Set<string>();
    for (const c of containersOf(spec)) {
      const caps = c.securityContext?.capabilities;
      if (!caps) {
        missingDropAll.push(c.name);
        continue;
      }
      if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
      const extra = (caps.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (extra.length > 0) adding.push(c.name);
      for (const cap of extra) forbidden.add(cap);
    }
    const details: string[] = [];
    if (missingDropAll.length > 0)
      details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length > 0)
      details.push(
        `${containersPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
      );
    return details.length === 0 ? allowed : deny('unrestricted capabilities', details.join('; '));
  },
};

const restrictedVolumeFields = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;
const allowedVolumeFields = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** check_restrictedVolumes.go (1.0). */
const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  overrides: ['hostPathVolumes'],
  check(_meta, spec) {
    const bad: string[] = [];
    const types = new Set<string>();
    for (const v of spec.volumes ?? []) {
      const fields = v as unknown as Record<string, unknown>;
      if (allowedVolumeFields.some((f) => fields[f] != null)) continue;
      bad.push(v.name);
      types.add(restrictedVolumeFields.find((f) => fields[f] != null) ?? 'unknown');
    }
    if (bad.length === 0) return allowed;
    const list = sortedSet(types);
    return deny(
      'restricted volume types',
      `${bad.length === 1 ? 'volume' : 'volumes'} ${joinQuote(bad)} ${bad.length === 1 ? 'uses' : 'use'} ${list.length === 1 ? 'restricted volume type' : 'restricted volume types'} ${joinQuote(list)}`,
    );
  },
};

/** check_runAsNonRoot.go (1.0). */
const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  check(_meta, spec) {
    const badSetters: string[] = [];
    let podNonRoot = false;
    const pod = spec.securityContext?.runAsNonRoot;
    if (pod === false) badSetters.push('pod');
    if (pod === true) podNonRoot = true;
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of containersOf(spec)) {
      const v = c.securityContext?.runAsNonRoot;
      if (v === false) explicit.push(c.name);
      if (v === undefined && !podNonRoot) implicit.push(c.name);
    }
    if (explicit.length > 0) badSetters.push(containersPhrase(explicit));
    if (badSetters.length > 0)
      return deny(
        'runAsNonRoot != true',
        `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
      );
    if (implicit.length > 0)
      return deny(
        'runAsNonRoot != true',
        `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
      );
    return allowed;
  },
};

/** check_runAsUser.go (1.23). */
const runAsUser: Check = {
  id: 'runAsUser',
  level: 'restricted',
  check(_meta, spec) {
    const badSetters: string[] = [];
    if (spec.securityContext?.runAsUser === 0) badSetters.push('pod');
    const bad = containersOf(spec)
      .filter((c) => c.securityContext?.runAsUser === 0)
      .map((c) => c.name);
    if (bad.length > 0) badSetters.push(containersPhrase(bad));
    if (badSetters.length === 0) return allowed;
    return deny('runAsUser=0', `${badSetters.join(' and ')} must not set runAsUser=0`);
  },
};

/** check_seccompProfile_restricted.go (1.25): RuntimeDefault or Localhost on the pod or every container. */
const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  overrides: ['seccompProfile_baseline'],
  check(_meta, spec) {
    if (isWindows(spec)) return allowed;
    const { badSetters, badValues, podValid, unset } = seccompSetters(spec);
    if (badSetters.length > 0)
      return deny(
        'seccompProfile',
        `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(badValues)}`,
      );
    if (!podValid && unset.length > 0)
      return deny(
        'seccompProfile',
        `pod or ${containersPhrase(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      );
    return allowed;
  },
};

export const restrictedChecks: Check[] = [
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];
