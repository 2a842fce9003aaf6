import { isTerminal } from '../../api/types';
import { LiveDot } from '../../components/live-dot';
import { useI18n } from '../../i18n/i18n';
import { useNow } from '../../live/use-now';
import { NotFound } from '../not-found';
import { ActionsBar } from './actions-bar';
import { ApprovalPanel } from './approval-panel';
import { DetailsPanel } from './details-panel';
import { ImagePanel } from './image-panel';
import { LogPanel } from './log-panel';
import { ManifestsPanel } from './manifests-panel';
import { PipelineHeader } from './pipeline-header';
import { useStageSelection } from './stage-selection';
import { StageSteps } from './stage-steps';
import { TestJobsPanel, TestReportPanel } from './test-jobs-panel';
import { usePipeline } from './use-pipeline';

/** `/pipelines/:id`: the page GitLab and WeCom link to (`#<stage>` opens that stage's log). */
export function PipelinePage({ id }: { id: string }) {
  const { pipeline, error, live, replace } = usePipeline(id);
  const [selection, pick] = useStageSelection(pipeline);
  const stageName = selection.stage;
  const now = useNow(pipeline !== undefined && !isTerminal(pipeline.status));
  const { t } = useI18n();

  if (pipeline === undefined) {
    if (error?.status === 404 || error?.status === 400) return <NotFound />;
    return (
      <div class="page">
        {error !== undefined ? (
          <div class="alert" role="alert">
            {error.message}
          </div>
        ) : (
          <div class="panel empty muted">{t('pipeline.loading')}</div>
        )}
      </div>
    );
  }
  const stage = pipeline.stages.find((s) => s.name === stageName) ?? pipeline.stages[0];
  // The test stage's jobs: a named job has its own log; the simple form's one job has the stage's.
  const jobs = stage?.jobs ?? [];
  const named = stage?.jobsForm === 'jobs';
  const job = named ? jobs.find((j) => j.name === selection.job) : undefined;
  const reported = named ? job : jobs[0];

  return (
    <div class="page pipeline-page">
      <div class="panel head-panel">
        <div class="head-top">
          <PipelineHeader pipeline={pipeline} now={now} />
          <div class="head-side">
            <LiveDot state={live} />
            <ActionsBar pipeline={pipeline} onChanged={replace} />
          </div>
        </div>
        <StageSteps pipeline={pipeline} selected={stageName} onSelect={(s) => pick({ stage: s })} now={now} />
      </div>
      <div class="pipeline-body">
        <div class="pipeline-main">
          {stage !== undefined && (
            <TestJobsPanel
              stage={stage}
              selected={job?.name}
              onSelect={(name) => pick({ stage: stage.name, job: name })}
              now={now}
            />
          )}
          {stage !== undefined && <TestReportPanel job={reported} showName={named} />}
          {stage !== undefined && <LogPanel pipeline={pipeline} stage={stage} job={job} />}
          <ManifestsPanel pipeline={pipeline} />
        </div>
        <aside class="pipeline-side">
          <ApprovalPanel pipeline={pipeline} now={now} />
          <ImagePanel pipeline={pipeline} />
          <DetailsPanel pipeline={pipeline} now={now} />
        </aside>
      </div>
    </div>
  );
}
