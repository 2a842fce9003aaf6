import { describe, expect, it } from 'vitest';
import {
  CANARY_SUFFIX,
  CRONJOB_NAME_MAX,
  canaryName,
  DNS1123_LABEL_MAX,
  deriveGroupName,
  deriveServiceName,
  ENVIRONMENT_NAME_MAX,
  environmentNameProblem,
  GENERATED_SUFFIX_LENGTH,
  GROUP_NAME_MAX,
  generatedPodName,
  groupNameProblem,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  namespaceProblem,
  objectNames,
  POD_TEMPLATE_HASH_LENGTH,
  pipelineShortId,
  RUNNER_POD_NAME_MAX,
  replicaSetName,
  runnerPodName,
  SERVICE_NAME_MAX,
  serviceNameProblem,
  volumeClaimName,
} from './names.js';

describe('DNS names', () => {
  it.each([
    ['a', true],
    ['api-gateway', true],
    ['0abc', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['', false],
    ['-a', false],
    ['a-', false],
    ['A', false],
    ['a_b', false],
    ['a.b', false],
  ])('isDns1123Label(%j) = %s', (name, ok) => {
    expect(isDns1123Label(name)).toBe(ok);
  });

  it.each([
    ['api', true],
    ['0api', false],
    ['api-0', true],
  ])('isDns1035Label(%j) = %s', (name, ok) => {
    expect(isDns1035Label(name)).toBe(ok);
  });

  it.each([
    ['example.com', true],
    ['api.test.example.com', true],
    ['a', true],
    [`${'a'.repeat(63)}.com`, true],
    [`${'a'.repeat(64)}.com`, false],
    [Array.from({ length: 64 }, () => 'abc').join('.'), false],
    ['Example.com', false],
    ['a..b', false],
    ['*.example.com', false],
    ['', false],
  ])('isDns1123Subdomain(%j) = %s', (name, ok) => {
    expect(isDns1123Subdomain(name)).toBe(ok);
  });

  it.each([
    ['payments', undefined],
    ['Payments', 'uppercase'],
    ['pay_ments', 'contains "_"'],
    ['-pay', 'must start'],
    ['pay-', 'must end'],
    ['', 'empty'],
    ['a'.repeat(64), 'the limit is 63'],
  ])('namespaceProblem(%j) mentions %j', (name, fragment) => {
    const why = namespaceProblem(name);
    if (fragment === undefined) expect(why).toBeUndefined();
    else expect(why).toContain(fragment);
  });
});

describe('computed name limits', () => {
  it('derives the service limit from the longest name built from it', () => {
    expect(SERVICE_NAME_MAX).toBe(
      DNS1123_LABEL_MAX - CANARY_SUFFIX.length - 1 - POD_TEMPLATE_HASH_LENGTH - 1 - GENERATED_SUFFIX_LENGTH,
    );
    expect(SERVICE_NAME_MAX).toBe(39);
    expect(GROUP_NAME_MAX).toBe(42);
    expect(ENVIRONMENT_NAME_MAX).toBe(20);
  });

  it('makes every name valid for the longest allowed service', () => {
    const service = `s${'a'.repeat(SERVICE_NAME_MAX - 1)}`;
    expect(serviceNameProblem(service)).toBeUndefined();
    const names = objectNames(service);
    const hash = 'f'.repeat(POD_TEMPLATE_HASH_LENGTH);
    const rand = 'z'.repeat(GENERATED_SUFFIX_LENGTH);
    for (const name of Object.values(names)) {
      expect(isDns1123Label(name), name).toBe(true);
      // Room to spare even if an object becomes a CronJob one day (the 52-character lesson).
      expect(name.length).toBeLessThanOrEqual(CRONJOB_NAME_MAX);
    }
    expect(isDns1035Label(names.service)).toBe(true);
    expect(isDns1035Label(names.canaryService)).toBe(true);
    for (const deployment of [names.deployment, names.canaryDeployment]) {
      const replicaSet = replicaSetName(deployment, hash);
      const pod = generatedPodName(replicaSet, rand);
      expect(isDns1123Label(replicaSet), replicaSet).toBe(true);
      expect(isDns1123Label(pod), pod).toBe(true);
    }
    expect(generatedPodName(replicaSetName(canaryName(service), hash), rand)).toHaveLength(DNS1123_LABEL_MAX);
  });

  it('refuses one character more than the service limit', () => {
    const service = 's'.repeat(SERVICE_NAME_MAX + 1);
    expect(serviceNameProblem(service)).toContain('the limit is 39');
    const pod = generatedPodName(replicaSetName(canaryName(service), 'f'.repeat(10)), 'zzzzz');
    expect(isDns1123Label(pod)).toBe(false);
  });

  it('fits the default namespace {group}-{env} at the longest group and environment', () => {
    const group = 'g'.repeat(GROUP_NAME_MAX);
    const env = 'e'.repeat(ENVIRONMENT_NAME_MAX);
    expect(groupNameProblem(group)).toBeUndefined();
    expect(environmentNameProblem(env)).toBeUndefined();
    expect(namespaceProblem(`${group}-${env}`)).toBeUndefined();
    expect(groupNameProblem(`${group}g`)).toContain('the limit is 42');
    expect(environmentNameProblem(`${env}e`)).toContain('the limit is 20');
  });

  it('requires service names to start with a letter (Kubernetes Service names are DNS-1035)', () => {
    expect(serviceNameProblem('1api')).toContain('start with a letter');
  });
});

describe('runner pod names', () => {
  it.each([
    ['01J9Z8K7QW4V2M3N5P6R7S8T9U', 'test', 'ab1c2', 'ferry-01j9z8k7qw4v-test-ab1c2'],
    ['0f8a6c1e-3c2b-4b7e-9a55-1f0e2d3c4b5a', 'deploy', 'zzzzz', 'ferry-0f8a6c1e3c2b-deploy-zzzzz'],
    ['42', 'build', '00000', 'ferry-42-build-00000'],
  ] as const)('runnerPodName(%j, %j, %j) = %j', (id, stage, rand, expected) => {
    const name = runnerPodName(id, stage, rand);
    expect(name).toBe(expected);
    expect(isDns1123Label(name)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(RUNNER_POD_NAME_MAX);
  });

  it('stays within a label at its longest', () => {
    expect(RUNNER_POD_NAME_MAX).toBe(31);
    expect(runnerPodName('x'.repeat(100), 'deploy', 'abcde')).toHaveLength(RUNNER_POD_NAME_MAX);
  });

  it('refuses a bad suffix or an id without name characters', () => {
    expect(() => runnerPodName('abc', 'test', 'ABCDE')).toThrow(TypeError);
    expect(() => pipelineShortId('---')).toThrow(TypeError);
  });
});

describe('derived names', () => {
  it.each([
    ['payments/api-gateway', 'api-gateway', 'payments'],
    ['Payments/backend/Order_Service', 'order-service', 'payments'],
    ['team.x/My.App', 'my-app', 'team-x'],
    ['solo', 'solo', ''],
  ])('project %j → service %j, group %j', (project, service, group) => {
    expect(deriveServiceName(project)).toBe(service);
    expect(deriveGroupName(project)).toBe(group);
  });

  it('names the volume claim after the service', () => {
    expect(volumeClaimName('api')).toBe('api-data');
  });
});
