import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Pipeline, type StageName, stageOrder } from '../../api/types';

function fromHash(): StageName | undefined {
  const h = decodeURIComponent(location.hash.slice(1));
  return (stageOrder as readonly string[]).includes(h) ? (h as StageName) : undefined;
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
 * The selected stage lives in the URL fragment (`/pipelines/<id>#build`, the form GitLab and WeCom
 * link to). Without one, the view follows the pipeline as it moves from stage to stage.
 */
export function useStageSelection(p: Pipeline | undefined): [StageName, (s: StageName) => void] {
  const [picked, setPicked] = useState<StageName | undefined>(fromHash);
  useEffect(() => {
    const onHash = () => setPicked(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const pick = useCallback((s: StageName) => {
    history.replaceState(history.state, '', `#${s}`);
    setPicked(s);
  }, []);
  return [picked ?? (p === undefined ? 'test' : autoStage(p)), pick];
}
