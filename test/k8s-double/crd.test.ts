/**
 * CustomResourceDefinitions in the double, driven by kubectl and raw requests as against a
 * cluster: a CRD (the CronTab of the Kubernetes docs, "Extend the Kubernetes API with
 * CustomResourceDefinitions") is created, becomes Established, its group/version appears in
 * discovery, and its objects are pruned and validated by its schema; dry runs write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, requireKubectl } from './kubectl.js';
import { rawRequest } from './raw-request.js';
import { type Harness, startHarness, uniqueName, waitFor } from './test-helpers.js';

let h: Harness;
let ns: string;

const group = 'stable.example.com';

function cronTabCrd(plural = 'crontabs', kind = 'CronTab') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, shortNames: ['ct'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['cronSpec'],
                  properties: {
                    cronSpec: { type: 'string' },
                    image: { type: 'string' },
                    replicas: { type: 'integer' },
                    policy: { type: 'string', enum: ['Allow', 'Forbid'] },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

const cronTab = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: `${group}/v1`,
  kind: 'CronTab',
  metadata: { name, namespace: ns },
  spec,
});

const ctl = (args: string[], input?: unknown) =>
  kubectl(h.double.kubeconfigPath, args, input === undefined ? {} : { input: JSON.stringify(input) });

const crontabs = () => `/apis/${group}/v1/namespaces/${ns}/crontabs`;

const postTab = (name: string, spec: Record<string, unknown>) =>
  rawRequest(h.kc, 'POST', crontabs(), cronTab(name, spec));

beforeAll(async () => {
  requireKubectl();
  h = await startHarness();
  ns = uniqueName('crd');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
  const created = await ctl(['apply', '--server-side', '-f', '-'], cronTabCrd());
  expect(created, created.stderr).toMatchObject({ code: 0 });
  const established = await ctl([
    'wait',
    '--for=condition=Established',
    `crd/crontabs.${group}`,
    '--timeout=60s',
  ]);
  expect(established, established.stderr).toMatchObject({ code: 0 });
}, 120_000);

afterAll(async () => {
  await h?.double.close();
});

describe('CustomResourceDefinitions', () => {
  it('an established CRD is in discovery, with its names, and its status says so', async () => {
    const groups = await rawRequest(h.kc, 'GET', '/apis');
    expect(groups.body.groups).toContainEqual({
      name: group,
      versions: [{ groupVersion: `${group}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${group}/v1`, version: 'v1' },
    });
    const list = await rawRequest(h.kc, 'GET', `/apis/${group}/v1`);
    expect(list.body.resources).toEqual([
      expect.objectContaining({
        name: 'crontabs',
        singularName: 'crontab',
        namespaced: true,
        kind: 'CronTab',
        shortNames: ['ct'],
      }),
    ]);
    const crd = await rawRequest(
      h.kc,
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.${group}`,
    );
    expect(crd.body.status).toMatchObject({
      acceptedNames: { plural: 'crontabs', kind: 'CronTab', listKind: 'CronTabList', singular: 'crontab' },
      storedVersions: ['v1'],
      conditions: expect.arrayContaining([
        expect.objectContaining({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' }),
        expect.objectContaining({ type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }),
      ]),
    });
    const resources = await ctl(['api-resources', '--api-group', group, '--no-headers']);
    expect(resources, resources.stderr).toMatchObject({ code: 0 });
    expect(resources.stdout).toMatch(/^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab\s*$/m);
  });

  it('publishes the version’s schema in /openapi/v3, so kubectl explain knows the kind', async () => {
    const index = await rawRequest(h.kc, 'GET', '/openapi/v3');
    const paths = index.body.paths as Record<string, { serverRelativeURL: string }>;
    expect(paths[`apis/${group}/v1`]?.serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/stable\.example\.com\/v1\?hash=/,
    );
    const explain = await ctl(['explain', 'crontab.spec.replicas']);
    expect(explain, explain.stderr).toMatchObject({ code: 0 });
    expect(explain.stdout).toMatch(/GROUP:\s+stable\.example\.com/);
    expect(explain.stdout).toMatch(/FIELD:\s+replicas <integer>/);
  });

  it('kubectl applies and lists objects of the kind by its short name', async () => {
    const name = uniqueName('tab');
    const out = await ctl(
      ['apply', '--server-side', '--validate=strict', '-f', '-'],
      cronTab(name, { cronSpec: '* * * * */5', image: 'my-cron-image', replicas: 2 }),
    );
    expect(out, out.stderr).toMatchObject({ code: 0 });
    expect(out.stdout).toContain(`crontab.stable.example.com/${name} serverside-applied`);
    const got = await ctl(['-n', ns, 'get', 'ct', name, '-o', 'json']);
    expect(got, got.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(got.stdout)).toMatchObject({
      apiVersion: `${group}/v1`,
      kind: 'CronTab',
      metadata: { name, namespace: ns, generation: 1 },
      spec: { cronSpec: '* * * * */5', image: 'my-cron-image', replicas: 2 },
    });
  });

  it('kubectl apply (client-side) changes an object with a merge patch; a strategic merge patch is refused', async () => {
    const name = uniqueName('tab');
    for (const replicas of [1, 3]) {
      const out = await ctl(['apply', '-f', '-'], cronTab(name, { cronSpec: '* * * * *', replicas }));
      expect(out, out.stderr).toMatchObject({ code: 0 });
    }
    const got = await rawRequest(h.kc, 'GET', `${crontabs()}/${name}`);
    expect(got.body).toMatchObject({ metadata: { generation: 2 }, spec: { replicas: 3 } });
    const strategic = await rawRequest(
      h.kc,
      'PATCH',
      `${crontabs()}/${name}`,
      { spec: { replicas: 4 } },
      'application/strategic-merge-patch+json',
    );
    expect(strategic.status).toBe(415);
    const wrong = await rawRequest(
      h.kc,
      'PATCH',
      `${crontabs()}/${name}`,
      { spec: { replicas: 'four' } },
      'application/merge-patch+json',
    );
    expect(wrong.status).toBe(422);
    expect((await rawRequest(h.kc, 'GET', `${crontabs()}/${name}`)).body).toMatchObject({
      spec: { replicas: 3 },
    });
  });

  it('prunes fields the schema does not declare, says so as warnings, and Strict refuses them', async () => {
    const name = uniqueName('tab');
    const body = cronTab(name, {
      cronSpec: '* * * * *',
      colour: 'blue',
      extra: { anything: { goes: 1 } },
      image: null,
    });
    const strict = await rawRequest(h.kc, 'POST', `${crontabs()}?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe(
      'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.colour"',
    );
    const warned = await rawRequest(h.kc, 'POST', crontabs(), body);
    expect(warned.status).toBe(201);
    expect(warned.warnings).toEqual(['299 - "unknown field \\"spec.colour\\""']);
    // Pruned: the unknown field and the null of a non-nullable one; kept: what preserves unknowns.
    expect(warned.body.spec).toEqual({ cronSpec: '* * * * *', extra: { anything: { goes: 1 } } });
    const stored = await rawRequest(h.kc, 'GET', `${crontabs()}/${name}`);
    expect(stored.body.spec).toEqual({ cronSpec: '* * * * *', extra: { anything: { goes: 1 } } });
  });

  it('refuses an object of the wrong type, without a required field or outside an enum (422)', async () => {
    const name = uniqueName('tab');
    const wrongType = await postTab(name, { cronSpec: '* * * * *', replicas: 'three' });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.message).toBe(
      `CronTab.stable.example.com "${name}" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
    );
    const missing = await postTab(name, { image: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toBe(
      `CronTab.stable.example.com "${name}" is invalid: spec.cronSpec: Required value`,
    );
    const notInEnum = await postTab(name, { cronSpec: '* * * * *', policy: 'Maybe' });
    expect(notInEnum.status).toBe(422);
    expect(notInEnum.body.message).toContain(
      'spec.policy: Unsupported value: "Maybe": supported values: "Allow", "Forbid"',
    );
    // kubectl reports the same refusal and exits non-zero; nothing was stored.
    const viaKubectl = await ctl(
      ['apply', '--server-side', '--dry-run=server', '-f', '-'],
      cronTab(name, { cronSpec: '* * * * *', replicas: 'three' }),
    );
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl.stderr).toContain('spec.replicas in body must be of type integer: "string"');
    expect((await rawRequest(h.kc, 'GET', `${crontabs()}/${name}`)).status).toBe(404);
  });

  it('dryRun=All writes nothing: neither a CRD nor an object of one', async () => {
    const name = uniqueName('tab');
    for (const args of [
      ['apply', '--dry-run=server', '-f', '-'],
      ['apply', '--server-side', '--dry-run=server', '-f', '-'],
    ]) {
      const out = await ctl(args, cronTab(name, { cronSpec: '* * * * *' }));
      expect(out, out.stderr).toMatchObject({ code: 0 });
      expect(out.stdout).toContain('(server dry run)');
    }
    expect((await rawRequest(h.kc, 'GET', `${crontabs()}/${name}`)).status).toBe(404);
    const crd = await ctl(['apply', '--dry-run=server', '-f', '-'], cronTabCrd('dryruns', 'DryRun'));
    expect(crd, crd.stderr).toMatchObject({ code: 0 });
    const get = await rawRequest(
      h.kc,
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/dryruns.${group}`,
    );
    expect(get.status).toBe(404);
    const list = await rawRequest(h.kc, 'GET', `/apis/${group}/v1`);
    expect(list.body.resources).toHaveLength(1);
  });

  it('refuses a CRD without a schema, with a non-structural one, or named otherwise than plural.group', async () => {
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const noSchema = cronTabCrd('noschemas', 'NoSchema');
    Reflect.deleteProperty(noSchema.spec.versions[0]!, 'schema');
    const a = await rawRequest(h.kc, 'POST', path, noSchema);
    expect(a.status).toBe(422);
    expect(a.body.message).toBe(
      `CustomResourceDefinition.apiextensions.k8s.io "noschemas.${group}" is invalid: spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required`,
    );
    const untyped = cronTabCrd('untypeds', 'Untyped');
    Reflect.deleteProperty(
      untyped.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.image,
      'type',
    );
    const b = await rawRequest(h.kc, 'POST', path, untyped);
    expect(b.status).toBe(422);
    expect(b.body.message).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields',
    );
    const misnamed = {
      ...cronTabCrd('misnameds', 'Misnamed'),
      metadata: { name: 'other.stable.example.com' },
    };
    const c = await rawRequest(h.kc, 'POST', path, misnamed);
    expect(c.status).toBe(422);
    expect(c.body.message).toContain(
      'metadata.name: Invalid value: "other.stable.example.com": must be spec.names.plural+"."+spec.group',
    );
  });

  it('deleting the CRD deletes its objects and takes the resource out of discovery', async () => {
    const crd = cronTabCrd('shortlives', 'ShortLived');
    crd.spec.names.shortNames = ['sl'];
    expect((await ctl(['apply', '--server-side', '-f', '-'], crd)).code).toBe(0);
    expect(
      (await ctl(['wait', '--for=condition=Established', `crd/shortlives.${group}`, '--timeout=60s'])).code,
    ).toBe(0);
    const obj = { ...cronTab('one', { cronSpec: '* * * * *' }), kind: 'ShortLived' };
    expect(
      (await rawRequest(h.kc, 'POST', `/apis/${group}/v1/namespaces/${ns}/shortlives`, obj)).status,
    ).toBe(201);
    const del = await ctl(['delete', 'crd', `shortlives.${group}`, '--wait=true']);
    expect(del, del.stderr).toMatchObject({ code: 0 });
    // The apiserver's cleanup runs after the delete (its finalizer controller): wait for it.
    await waitFor(
      'shortlives out of discovery',
      async () => {
        const list = await rawRequest(h.kc, 'GET', `/apis/${group}/v1`);
        const names = (list.body.resources as Array<{ name: string }>).map((r) => r.name);
        return names.length === 1 && names[0] === 'crontabs';
      },
      60_000,
    );
    expect((await rawRequest(h.kc, 'GET', `/apis/${group}/v1/namespaces/${ns}/shortlives/one`)).status).toBe(
      404,
    );
  });
});
