/**
 * The kubernetes build cache (executor.kubernetes.buildCache, docs/release.md "The build cache"):
 * two merges of one project through Ferry on the Kubernetes double, each built by buildah in its
 * own build pod (baseline namespace, the build sandbox, nothing privileged, no host path). The
 * second build pod finds the first one's storage in the claim: the base is not pulled again and
 * the unchanged steps come from disk. Without the claim every build pod starts empty and pulls.
 */
import type { PipelineRecord, StageName } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeIntoTest } from './support/merge-into-test.js';
import { type ReleaseWorld, startReleaseWorld } from './support/release-world.js';
import { sampleRelease } from './support/sample-service.js';

let w: ReleaseWorld;

beforeAll(async () => {
  w = await startReleaseWorld('kubernetes');
}, 900_000);

afterAll(async () => {
  await w?.close();
}, 120_000);

async function released(iid: number, version: string): Promise<PipelineRecord> {
  const { answers } = await mergeIntoTest(w, iid, `Release ${version}`, sampleRelease(version), [
    'Merge Request Hook',
  ]);
  const id = answers[0]?.pipelineId;
  expect(answers[0]).toMatchObject({ status: 201 });
  // Generous: builds share two cores with the rest of the machine; a bound, not a measurement.
  const deadline = Date.now() + 600_000;
  for (;;) {
    const res = await fetch(`${w.ferry.url}/api/v1/pipelines/${id}`, { signal: AbortSignal.timeout(10_000) });
    const p = (await res.json()) as PipelineRecord;
    if (['success', 'failed', 'canceled', 'skipped'].includes(p.status)) return p;
    if (Date.now() > deadline) throw new Error(`pipeline ${id} still ${p.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stageLog(pipelineId: string, stage: StageName): Promise<string> {
  const lines: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const chunk = await w.ferry.ferry.ctx.logs.read(pipelineId, stage, cursor);
    lines.push(...chunk.lines.map((l) => l.x));
    if (chunk.done || chunk.lines.length === 0) return lines.join('\n');
    cursor = chunk.cursor;
  }
}

describe('the kubernetes build cache', () => {
  it('a second build pod of the project reuses the first one’s buildah storage from the claim', async () => {
    const first = await released(1, '1.0.0');
    const coldLog = await stageLog(first.id, 'build');
    expect(first.status, coldLog).toBe('success');
    expect(coldLog).toContain('build cache: slot 0 of 2, empty (this build fills it)');
    expect(coldLog).toMatch(/Trying to pull \S+ferry-test\/node:20/);
    expect(coldLog).toMatch(/build cache: slot 0 keeps \d+ MiB for the next build/);

    const second = await released(2, '1.0.1');
    const warmLog = await stageLog(second.id, 'build');
    expect(second.status, warmLog).toBe('success');
    expect(warmLog).toMatch(
      new RegExp(`build cache: slot 0 of 2, warm: \\d+ MiB left by pipeline ${first.id}`),
    );
    expect(warmLog).not.toContain('Trying to pull');
    expect(warmLog).not.toContain('Cache pulled from remote');
    expect(warmLog).toContain('--> Using cache');
    expect(warmLog).not.toContain('ferry-password');
    // The new version was built, pushed and deployed from it.
    expect(second.image?.tags).toContain(`${w.registry.registry.address}/${w.project.path}:${second.sha}`);
  }, 1_500_000);
});
