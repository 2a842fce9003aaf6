import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Pipeline, type StageName, stageOrder } from '../../api/types';

/** What the page shows: a stage, and for the test stage's named jobs one job (`#test:<job>`). */
export interface Selection {
  stage: StageName;
  job?: string;
}

/** `#build` → build; `#test:unit` → the test stage's job `unit` (the link of `ferry/test:unit` in GitLab). */
export function parseFragment(fragment: string): Selection | undefined {
  const [stage, job, ...rest] = fragment.split(':');
  if (rest.length > 0 || !(stageOrder as readonly string[]).includes(stage ?? '')) return undefined;
  if (job === undefined) return { stage: stage as StageName };
  // Job names are DNS labels (docs/spec.md), and only the test stage has jobs.
  if (stage !== 'test' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(job)) return undefined;
  return { stage, job };
}

export function fragmentOf(selection: Selection): string {
  return selection.job === undefined ? selection.stage : `${selection.stage}:${selection.job}`;
}

function fromHash(): Selection | undefined {
  return parseFragment(decodeURIComponent(location.hash.slice(1)));
}

/** The stage to show when nobody chose one: the running one, else the first failure, else the last that ran. */
export function autoStage(p: Pipeline): StageName {
  const running = p.stages.find((s) => s.status === 'running');
  if (running) return running.name;
  const failed = p.stages.find((s) => s.status === 'failed');
  if (failed) return failed.name;
  const ran = p.stages.filter((s) => s.startedAt !== undefined).at(-1);
  return ran?.name ?? p.stages[0]?.name ?? 'test';
}

/**
 * The test job to show when nobody chose one (named jobs only): the first failed job, else the
 * first running one, else the first. Undefined for the simple form, whose log is the stage's.
 */
export function autoJob(p: Pipeline): string | undefined {
  const test = p.stages.find((s) => s.name === 'test');
  if (test?.jobsForm !== 'jobs' || test.jobs === undefined) return undefined;
  const jobs = test.jobs;
  return (
    jobs.find((j) => j.status === 'failed')?.name ??
    jobs.find((j) => j.status === 'running')?.name ??
    jobs[0]?.name
  );
}

/**
 * The selected stage (and test job) lives in the URL fragment (`/pipelines/<id>#build`,
 * `#test:unit`, the forms GitLab and WeCom link to). Without one, the view follows the pipeline as
 * it moves from stage to stage.
 */
export function useStageSelection(p: Pipeline | undefined): [Selection, (s: Selection) => void] {
  const [picked, setPicked] = useState<Selection | undefined>(fromHash);
  useEffect(() => {
    const onHash = () => setPicked(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const pick = useCallback((s: Selection) => {
    // The whole path: a bare `#…` resolves against the page's <base href> (the dashboard's root),
    // which took the page to the pipeline list.
    history.replaceState(history.state, '', `${location.pathname}${location.search}#${fragmentOf(s)}`);
    setPicked(s);
  }, []);
  const stage = picked?.stage ?? (p === undefined ? 'test' : autoStage(p));
  if (stage !== 'test' || p === undefined) return [{ stage }, pick];
  const jobs = p.stages.find((s) => s.name === 'test')?.jobs ?? [];
  const job = picked?.job !== undefined && jobs.some((j) => j.name === picked.job) ? picked.job : autoJob(p);
  return [job === undefined ? { stage } : { stage, job }, pick];
}
