import { describe, expect, it } from 'vitest';
import { stoppedResult } from '../stage-run.js';
import { runnerFilter } from './labels.js';
import { LogDemuxer } from './log-demux.js';
import { authForImage, imageRegistry } from './registry-auth.js';
import { resourceLimits } from './resources.js';
import { containerName, dockerRunnerId, isDockerRunnerId } from './runner-names.js';
import { stepResult } from './stage-result.js';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LogDemuxer', () => {
  const stream = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err ✓\n'), frame(1, ''), frame(1, 'out 2\n')]);
  const decode = (chunks: Buffer[]) => {
    const demuxer = new LogDemuxer();
    const frames = chunks.flatMap((c) => demuxer.push(c)).map((f) => [f.stream, f.payload.toString()]);
    return { frames, leftover: demuxer.leftover };
  };
  const expected = [
    ['stdout', 'out 1\n'],
    ['stderr', 'err ✓\n'],
    ['stdout', ''],
    ['stdout', 'out 2\n'],
  ];

  it.each([1, 3, 7, 8, 9, 13, stream.length])('splits frames whatever the chunk size (%i bytes)', (size) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
    expect(decode(chunks)).toEqual({ frames: expected, leftover: 0 });
  });

  it('keeps an incomplete frame for later', () => {
    expect(decode([stream.subarray(0, stream.length - 2)]).leftover).toBeGreaterThan(0);
  });
});

describe('resourceLimits', () => {
  it.each([
    [undefined, {}],
    [{}, {}],
    [{ memory: '512Mi' }, { Memory: 512 * 2 ** 20 }],
    [{ memory: '1G' }, { Memory: 1e9 }],
    [{ cpu: '500m' }, { NanoCpus: 500_000_000 }],
    [
      { cpu: '2', memory: '1Gi' },
      { NanoCpus: 2e9, Memory: 2 ** 30 },
    ],
    [{ cpu: 'lots', memory: 'much' }, {}],
  ])('%j → %j', (resources, expected) => {
    expect(resourceLimits(resources)).toEqual(expected);
  });
});

describe('stage results', () => {
  it.each<[Parameters<typeof stepResult>[0], string | undefined, object]>([
    [{ ExitCode: 0 }, undefined, { status: 'success', exitCode: 0 }],
    [{ ExitCode: 1 }, undefined, { status: 'failed', exitCode: 1, reason: 'exit code 1' }],
    [{ ExitCode: 42 }, undefined, { status: 'failed', exitCode: 42, reason: 'exit code 42' }],
    [
      { ExitCode: 137, OOMKilled: true },
      '512Mi',
      { status: 'failed', exitCode: 137, reason: 'OOMKilled: the stage used more than its 512Mi of memory' },
    ],
    [{ ExitCode: 137, OOMKilled: true }, undefined, { status: 'failed', exitCode: 137, reason: 'OOMKilled' }],
    [
      { ExitCode: 127, Error: 'exec: "/bin/sh": not found' },
      undefined,
      { status: 'failed', exitCode: 127, reason: 'the container failed: exec: "/bin/sh": not found' },
    ],
  ])('%j', (state, memory, expected) => {
    expect(stepResult(state, memory)).toEqual(expected);
  });

  it.each([
    ['canceled', { status: 'canceled', reason: 'canceled' }],
    ['destroyed', { status: 'canceled', reason: 'destroyed' }],
    ['timeout', { status: 'failed', reason: 'timed out after 1m30s' }],
  ] as const)('stopped: %s', (why, expected) => {
    expect(stoppedResult(why, 90_000)).toEqual(expected);
  });
});

describe('registry auth', () => {
  const auth = { serveraddress: '127.0.0.1:5000', username: 'ferry', password: 'p' };
  it.each([
    ['node:20', 'docker.io', false],
    ['library/node:20', 'docker.io', false],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1:5000', true],
    ['127.0.0.1:5001/team/app:1', '127.0.0.1:5001', false],
    ['registry.example.com/app@sha256:' + 'a'.repeat(64), 'registry.example.com', false],
  ])('%s is on %s (credentials: %s)', (image, registry, withAuth) => {
    expect(imageRegistry(image)).toBe(registry);
    expect(authForImage(image, auth) !== undefined).toBe(withAuth);
  });
  it('accepts a serveraddress written as a URL', () => {
    expect(
      authForImage('127.0.0.1:5000/a:1', { ...auth, serveraddress: 'http://127.0.0.1:5000/' }),
    ).toBeDefined();
  });
});

describe('names and labels', () => {
  it.each([
    [{ pipelineId: 'm3x9abcd12', stage: 'test', attempt: 1 }, 'ferry-m3x9abcd12-test-1-0a0b0c0d'],
    [{ pipelineId: 'A_B/c', stage: 'build', attempt: 2 }, 'ferry-a-b-c-build-2-0a0b0c0d'],
  ])('%j → %s', (job, expected) => {
    const id = dockerRunnerId(job, '0a0b0c0d');
    expect(id).toBe(expected);
    expect(isDockerRunnerId(id)).toBe(true);
    expect(containerName(id, 'step')).toBe(`${expected}-step`);
  });
  it.each(['', 'x', 'ferry-x-test-1-0a0b0c0d-step', '../ferry-x-test-1-0a0b0c0d'])(
    'refuses %j as an id',
    (id) => {
      expect(isDockerRunnerId(id)).toBe(false);
    },
  );
  it('filters by label', () => {
    expect(runnerFilter()).toEqual({ label: ['ferry.managed=1', 'ferry.executor=docker'] });
    expect(runnerFilter('r1')).toEqual({
      label: ['ferry.managed=1', 'ferry.executor=docker', 'ferry.runner=r1'],
    });
    // One installation never lists (so never reaps) another's runners on a shared engine.
    expect(runnerFilter(undefined, 'ferry-a')).toEqual({
      label: ['ferry.managed=1', 'ferry.executor=docker', 'ferry.owner=ferry-a'],
    });
  });
});
