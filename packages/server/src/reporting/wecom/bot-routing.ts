import type { PipelineRecord } from '@ferry/shared';

/** A bot's filters, as configured (`wecom.bots[]`): empty lists match everything. */
export interface BotFilter {
  name: string;
  projects: readonly string[];
  environments: readonly string[];
}

/** The bots that hear about a pipeline: its project (path or id) and its environment match. */
export function botsFor<B extends BotFilter>(
  bots: readonly B[],
  pipeline: Pick<PipelineRecord, 'project' | 'environment'>,
): B[] {
  return bots.filter(
    (bot) =>
      (bot.projects.length === 0 ||
        bot.projects.includes(pipeline.project.path) ||
        bot.projects.includes(String(pipeline.project.id))) &&
      (bot.environments.length === 0 || bot.environments.includes(pipeline.environment)),
  );
}
